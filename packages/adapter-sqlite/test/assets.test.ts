import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError, type MasterVideo } from '@mastervideo/core'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteAssets } from '../src/index.js'

let dir: string
let root: string
let db: Database.Database
const job = (projectId: string) => ({ projectId }) as MasterVideo

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-assets-'))
  root = path.join(dir, 'assets')
  await mkdir(path.join(root, 'p1'), { recursive: true })
  await writeFile(path.join(root, 'p1', 'a.mp4'), 'clip a')
  await writeFile(path.join(dir, 'outside.mp4'), 'not under root')
  await symlink(path.join(dir, 'outside.mp4'), path.join(root, 'p1', 'link.mp4'))
  db = new Database(path.join(dir, 'host.sqlite'))
  // The original system's table: project_assets, looked up by asset_id.
  db.exec('CREATE TABLE project_assets (asset_id TEXT, project_id TEXT, file_path TEXT)')
  const insert = db.prepare('INSERT INTO project_assets VALUES (?, ?, ?)')
  insert.run('a1', 'p1', 'p1/a.mp4')
  insert.run('abs', 'p1', path.join(root, 'p1', 'a.mp4'))
  insert.run('escape', 'p1', '../outside.mp4')
  insert.run('link', 'p1', 'p1/link.mp4')
  insert.run('gone', 'p1', 'p1/deleted.mp4')
  insert.run('dir', 'p1', 'p1')
  insert.run('nul', 'p1', 'p1/a.mp4\u0000.txt')
  insert.run('theirs', 'p2', 'p1/a.mp4')
})
afterAll(async () => {
  db.close()
  await rm(dir, { recursive: true, force: true })
})

const base = { table: 'project_assets', idColumn: 'asset_id', pathColumn: 'file_path' }

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(isMasterVideoError(error), `expected a MasterVideoError, got ${String(error)}`).toBe(true)
  return (error as { code: string }).code
}

describe('sqliteAssets', () => {
  const assets = () => sqliteAssets({ database: db, ...base, projectColumn: 'project_id', root })

  it("resolves a shot to the file the host's row names, relative to root or absolute", async () => {
    const expected = path.join(root, 'p1', 'a.mp4')
    expect(await assets().resolve({ assetId: 'a1' }, job('p1'))).toBe(expected)
    expect(await assets().resolve({ assetId: 'abs' }, job('p1'))).toBe(expected)
  })

  it('does not find an asset of another project when projectColumn is set', async () => {
    expect(await code(assets().resolve({ assetId: 'theirs' }, job('p1')))).toBe('ASSET_NOT_FOUND')
    // Without projectColumn, any project's asset is found.
    const anyProject = sqliteAssets({ database: db, ...base, root })
    expect(await anyProject.resolve({ assetId: 'theirs' }, job('p1'))).toBe(path.join(root, 'p1', 'a.mp4'))
  })

  // What was tried: a missing row, an id full of SQL, a path escaping root by
  // "..", a symbolic link out of root, a row whose file is gone, a directory,
  // and a stored path with a NUL byte.
  it.each([
    ['missing row', 'nope'],
    ['SQL in the id', "a1' OR '1'='1"],
    ['".." out of root', 'escape'],
    ['symlink out of root', 'link'],
    ['file deleted', 'gone'],
    ['a directory', 'dir'],
    ['NUL in the stored path', 'nul'],
  ])('refuses %s with ASSET_NOT_FOUND', async (_, assetId) => {
    expect(await code(assets().resolve({ assetId }, job('p1')))).toBe('ASSET_NOT_FOUND')
  })

  it.each([
    ['table', { table: 'project_assets; DROP TABLE project_assets' }],
    ['idColumn', { idColumn: 'asset_id = asset_id OR 1' }],
    ['pathColumn', { pathColumn: '"file_path"' }],
    ['projectColumn', { projectColumn: 'project_id--' }],
    ['table', { table: 'sqlite_master' }],
  ])('refuses a %s with SQL in it, at construction, with VALIDATION', (field, override) => {
    expect(() => sqliteAssets({ database: db, ...base, ...override })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', details: { field } }),
    )
    expect(db.prepare('SELECT COUNT(*) AS n FROM project_assets').get()).toEqual({ n: 8 })
  })

  it('reports a table or column that does not exist at construction, as STORAGE', () => {
    expect(() => sqliteAssets({ database: db, ...base, table: 'no_such_table' })).toThrow(
      expect.objectContaining({ code: 'STORAGE' }),
    )
    expect(() => sqliteAssets({ database: db, ...base, pathColumn: 'no_such_column' })).toThrow(
      expect.objectContaining({ code: 'STORAGE' }),
    )
  })
})
