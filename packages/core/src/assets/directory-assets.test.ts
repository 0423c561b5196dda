import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MasterVideo } from '../record/master-video.js'
import { directoryAssets } from './directory-assets.js'

let root: string
let outside: string
const job = {} as MasterVideo

beforeAll(async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'mv-assets-'))
  root = path.join(base, 'assets')
  outside = path.join(base, 'secret.txt')
  await mkdir(path.join(root, 'clips', 'Кириллица'), { recursive: true })
  await writeFile(path.join(root, 'clips', 'a.mp4'), 'a')
  await writeFile(path.join(root, 'clips', 'Кириллица', "it's here.mp4"), 'b')
  await writeFile(outside, 'secret')
  await symlink(outside, path.join(root, 'escape.mp4'))
  await symlink(path.join(root, 'clips', 'a.mp4'), path.join(root, 'inside-link.mp4'))
})
afterAll(async () => {
  await rm(path.dirname(root), { recursive: true, force: true })
})

async function codeOf(assetId: string): Promise<string | undefined> {
  return directoryAssets(root)
    .resolve({ assetId }, job)
    .then(
      () => undefined,
      (error: { code?: string }) => error.code,
    )
}

describe('directoryAssets', () => {
  it('resolves ids relative to the root, Cyrillic and quotes included', async () => {
    const assets = directoryAssets(root)
    expect(await assets.resolve({ assetId: 'clips/a.mp4' }, job)).toBe(path.join(root, 'clips', 'a.mp4'))
    expect(await assets.resolve({ assetId: "clips/Кириллица/it's here.mp4" }, job)).toContain('Кириллица')
    expect(await assets.resolve({ assetId: 'inside-link.mp4' }, job)).toBe(path.join(root, 'clips', 'a.mp4'))
  })

  it.each([
    ['a parent-directory escape', '../secret.txt'],
    ['a nested escape', 'clips/../../secret.txt'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows drive path', 'C:/Windows/win.ini'],
    ['a backslash path', '..\\secret.txt'],
    ['a NUL byte', 'clips/a.mp4\u0000.txt'],
    ['a symlink that points outside the root', 'escape.mp4'],
    ['a directory', 'clips'],
    ['a missing file', 'clips/none.mp4'],
    ['the root itself', '.'],
  ])('refuses %s with ASSET_NOT_FOUND', async (_what, assetId) => {
    expect(await codeOf(assetId)).toBe('ASSET_NOT_FOUND')
  })

  it('names the asset id in the message, never the server path', async () => {
    const error = await directoryAssets(root)
      .resolve({ assetId: 'escape.mp4' }, job)
      .catch((e: Error) => e)
    expect((error as Error).message).toBe('Asset "escape.mp4" resolves outside the asset root')
    expect((error as Error).message).not.toContain(root)
  })
})
