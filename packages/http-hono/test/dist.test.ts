// Smoke test of the published shape: the built ESM and CJS entry points load
// (with @mastervideo/core's own build, as a user's install would), expose the
// same API, and serve the routes. Run in a plain node process: vitest's
// export conditions would resolve core to its TypeScript sources.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = path.resolve(import.meta.dirname, '../dist')

const script = `
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { createMasterVideos, localOutputStore, memoryRepository } from '@mastervideo/core'
const esm = await import(${JSON.stringify(path.join(dist, 'index.js'))})
const cjs = createRequire(import.meta.url)(${JSON.stringify(path.join(dist, 'index.cjs'))})
const mv = createMasterVideos({
  repository: memoryRepository(),
  transcoder: {},
  assets: () => '/nonexistent',
  output: localOutputStore(tmpdir()),
})
const answers = []
for (const mod of [esm, cjs]) {
  const res = await mod.masterVideoRoutes(mv, { authorize: () => false }).request('/p1/master-videos')
  answers.push({ status: res.status, body: await res.json(), notFound: mod.HTTP_STATUS.NOT_FOUND })
}
console.log(JSON.stringify({ esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).sort(), answers }))
`

describe.runIf(existsSync(dist) || process.env.CI)('built dist of @mastervideo/http-hono', () => {
  it('ESM and CJS builds export the same API, and both serve the routes', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
    })
    const { esm, cjs, answers } = JSON.parse(out)
    expect(esm).toEqual(cjs)
    expect(esm).toContain('masterVideoRoutes')
    for (const answer of answers) {
      expect(answer).toEqual({ status: 403, body: { error: 'Forbidden', code: 'FORBIDDEN' }, notFound: 404 })
    }
  })
})
