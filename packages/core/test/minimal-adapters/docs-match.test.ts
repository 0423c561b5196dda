// docs/adapters.md shows these adapters piece by piece: each code block
// marked `<!-- file: ... -->` must still be a piece of that file, so the
// page cannot drift from the code its tests prove.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../../../..')
const page = readFileSync(path.join(root, 'docs/adapters.md'), 'utf8')
const blocks = [...page.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map(([, file, code]) => ({
  file: file as string,
  code: code as string,
}))

describe('docs/adapters.md', () => {
  it('shows the minimal adapters', () => {
    expect(blocks.length).toBeGreaterThan(10)
  })

  it.each(blocks.map((b, i) => [i + 1, b.file, b.code] as const))(
    'block %i is a piece of %s',
    (_, file, code) => {
      expect(readFileSync(path.join(root, file), 'utf8')).toContain(code)
    },
  )
})
