import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveInsideRoot } from './resolve-inside-root.js'

let base: string
let root: string

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'mv-inside-root-'))
  root = path.join(base, 'root')
  await mkdir(path.join(root, 'clips'), { recursive: true })
  await writeFile(path.join(root, 'clips', 'a.mp4'), 'a')
  await writeFile(path.join(base, 'outside.mp4'), 'o')
  await symlink(path.join(base, 'outside.mp4'), path.join(root, 'out-link.mp4'))
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe('resolveInsideRoot', () => {
  // path (relative to the root unless absolute), trusted, what comes back
  const rows: [string, boolean, string][] = [
    ['clips/a.mp4', false, 'ok'],
    ['clips/../clips/a.mp4', false, 'contains ".."'],
    ['clips/../clips/a.mp4', true, 'ok'],
    ['<root>/clips/a.mp4', false, 'is an absolute path'],
    ['<root>/clips/a.mp4', true, 'ok'],
    ['../outside.mp4', true, 'resolves outside the asset root'],
    ['<base>/outside.mp4', true, 'resolves outside the asset root'],
    ['out-link.mp4', false, 'resolves outside the asset root'],
    ['out-link.mp4', true, 'resolves outside the asset root'],
    ['clips\\a.mp4', false, 'contains a backslash'],
    ['clips/a.mp4\u0000', true, 'contains a NUL byte'],
    ['clips', true, 'is not a regular file'],
    ['clips/none.mp4', true, 'does not exist'],
    ['', true, 'is empty'],
  ]
  it.each(rows)('%j (trusted: %s) -> %s', async (file, trusted, expected) => {
    const given = file.replace('<root>', root).replace('<base>', base)
    const found = await resolveInsideRoot(root, given, { trusted })
    expect(found.ok ? 'ok' : found.reason).toBe(expected)
    if (found.ok) expect(found.path).toBe(path.join(root, 'clips', 'a.mp4'))
    else expect(found.reason).not.toContain(base)
  })

  it('without a root (a trusted path) follows links and only checks for a regular file', async () => {
    expect(await resolveInsideRoot(null, path.join(root, 'out-link.mp4'), { trusted: true })).toEqual({
      ok: true,
      path: path.join(base, 'outside.mp4'),
    })
    expect(await resolveInsideRoot(null, root, { trusted: true })).toMatchObject({
      ok: false,
      reason: 'is not a regular file',
    })
  })

  it('refuses everything when the root is missing', async () => {
    const found = await resolveInsideRoot(path.join(base, 'nope'), 'a.mp4')
    expect(found).toMatchObject({ ok: false, reason: 'cannot be checked: the asset root does not exist' })
  })
})
