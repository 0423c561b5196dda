// The README's and main.ts's curl commands join clips the demo project really has.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { ensureDemoProject } from 'mastervideo'
import { describe, expect, it } from 'vitest'

const here = path.resolve(import.meta.dirname, '..')

/** The `shots` of every `-d '{...}'` JSON body in `text`. */
function shotsIn(text: string): string[][] {
  return [...text.matchAll(/-d '(\{[^']*\})'/g)].map(
    (m) => (JSON.parse(m[1] as string) as { shots: string[] }).shots,
  )
}

describe('examples/express README', () => {
  it('names only clips that the demo project contains', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mv-express-readme-'))
    try {
      await ensureDemoProject(dir, (await resolveBinaries({})).ffmpeg)
      const demo = new Set(await readdir(path.join(dir, 'demo')))
      for (const file of ['README.md', 'src/main.ts']) {
        const all = shotsIn(await readFile(path.join(here, file), 'utf8'))
        expect(all.length, file).toBeGreaterThan(0)
        for (const shot of all.flat()) expect(demo.has(shot), `${file}: ${shot}`).toBe(true)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
