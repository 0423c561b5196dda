import { createHash } from 'node:crypto'
import { chmod, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { newJob } from '@mastervideo/core/testing'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, sqliteRepository } from '../src/index.js'
import { spawnChild } from './fixtures/children.js'

let dir: string
let n = 0
const fresh = () => path.join(dir, `db-${n++}.sqlite`)
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-open-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sha = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')

function openError(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (error) {
    expect(isMasterVideoError(error), `expected a MasterVideoError, got ${String(error)}`).toBe(true)
    return error as { code: string; message: string }
  }
  throw new Error('expected the open to fail')
}

/** A valid file with some jobs, closed, so only the main file holds the data. */
async function populated(): Promise<string> {
  const file = fresh()
  const repo = sqliteRepository({ filename: file })
  for (let i = 0; i < 200; i++) await repo.create(newJob({ name: `job ${i} ${'x'.repeat(200)}` }))
  await repo.close()
  return file
}

describe('opening a file', () => {
  it('sets WAL, busy_timeout, synchronous=NORMAL and foreign_keys on its own connection', async () => {
    const repo = sqliteRepository({ filename: fresh() }, { busyTimeoutMs: 75 })
    const pragma = (name: string) => Object.values(repo.database.prepare(`PRAGMA ${name}`).get() as object)[0]
    expect(pragma('journal_mode')).toBe('wal')
    expect(pragma('busy_timeout')).toBe(75)
    expect(pragma('synchronous')).toBe(1) // NORMAL
    expect(pragma('foreign_keys')).toBe(1)
    await repo.close()
  })

  it('records the schema version once and reopens without migrating again', async () => {
    const file = fresh()
    await sqliteRepository({ filename: file }).close()
    const repo = sqliteRepository({ filename: file })
    expect(
      repo.database.prepare('SELECT version FROM mastervideo_migrations ORDER BY version').all(),
    ).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })))
    await repo.close()
  })

  it('shares a host connection: prefixed tables beside the host tables, host pragmas and connection left alone', async () => {
    const file = fresh()
    const host = new Database(file)
    host.exec("CREATE TABLE jobs (id TEXT); INSERT INTO jobs VALUES ('host row')")
    const repo = sqliteRepository({ database: host }, { tablePrefix: 'mv_' })
    const { record } = await repo.create(newJob())
    expect(host.prepare('SELECT id FROM mv_jobs').all()).toEqual([{ id: record.id }])
    expect(host.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 'host row' }])
    expect(host.pragma('journal_mode', { simple: true })).toBe('delete')
    // Inside the host's own transaction our write joins it and rolls back with it.
    const rollback = new Error('host rollback')
    let inner: Promise<unknown> = Promise.resolve()
    expect(() =>
      host.transaction(() => {
        inner = repo.create(newJob({ name: 'in host transaction' }))
        throw rollback
      })(),
    ).toThrow(rollback)
    await inner
    expect(host.prepare('SELECT COUNT(*) AS n FROM mv_jobs').get()).toEqual({ n: 1 })
    await repo.close()
    expect(host.open).toBe(true)
    host.close()
  })
})

describe('bad files: a typed STORAGE error at open, and the file untouched', () => {
  it('refuses a file that is not SQLite', async () => {
    const file = fresh()
    await writeFile(file, `not a database ${'-'.repeat(200)}\n`)
    const before = await sha(file)
    const error = openError(() => sqliteRepository({ filename: file }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toMatch(/^cannot .*not a SQLite database/)
    expect(error).toMatchObject({ origin: '@mastervideo/adapter-sqlite' })
    expect(await sha(file)).toBe(before)
  })

  it('refuses a file whose header is damaged', async () => {
    const file = await populated()
    const handle = await open(file, 'r+')
    await handle.write(Buffer.from('GARBAGE GARBAGE!'), 0, 16, 0) // the "SQLite format 3\0" magic
    await handle.close()
    const before = await sha(file)
    const error = openError(() => sqliteRepository({ filename: file }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toMatch(/not a SQLite database|corrupt/)
    expect(await sha(file)).toBe(before)
  })

  it('refuses a file whose jobs table pages are damaged (found by quick_check, before any write)', async () => {
    const file = await populated()
    const pageSize = (await readFile(file)).readUInt16BE(16)
    const handle = await open(file, 'r+')
    // Page 3 onwards hold the jobs table and its indexes; scribble over one of them.
    await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, pageSize * 4)
    await handle.close()
    const before = await sha(file)
    const error = openError(() => sqliteRepository({ filename: file }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toMatch(/corrupt/)
    expect(await sha(file)).toBe(before)
  })

  it('refuses a file written by a newer schema version', async () => {
    const file = fresh()
    await sqliteRepository({ filename: file }).close()
    const db = new Database(file)
    db.prepare('INSERT INTO mastervideo_migrations (version, applied_at) VALUES (?, ?)').run(
      SCHEMA_VERSION + 1,
      1,
    )
    db.close()
    const before = await sha(file)
    const error = openError(() => sqliteRepository({ filename: file }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION}`)
    expect(await sha(file)).toBe(before)
    // The same refusal through a host connection.
    const host = new Database(file)
    expect(openError(() => sqliteRepository({ database: host })).code).toBe('STORAGE')
    host.close()
    expect(await sha(file)).toBe(before)
  })

  it('refuses a read-only file (as a user who cannot write it)', async () => {
    const file = await populated()
    await chmod(file, 0o444)
    await chmod(dir, 0o755)
    const before = await sha(file)
    // Root writes through any permission bits, so run the open as `nobody` then.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined
    const child = spawnChild(file, 'open', undefined, as)
    await child.next()
    child.process.send('go')
    const result = await child.next<{
      ok: boolean
      error: { code: string; typed: boolean; message: string }
    }>()
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ code: 'STORAGE', typed: true })
    expect(result.error.message).toMatch(/read-only/)
    expect(await sha(file)).toBe(before)
  })

  it('refuses a read-only host connection', async () => {
    const file = await populated()
    const host = new Database(file, { readonly: true })
    const error = openError(() => sqliteRepository({ database: host }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toMatch(/read-only/)
    host.close()
  })

  it('refuses a path in a directory that does not exist', () => {
    const error = openError(() => sqliteRepository({ filename: path.join(dir, 'missing', 'db.sqlite') }))
    expect(error.code).toBe('STORAGE')
    expect(error.message).toMatch(/directory does not exist/)
  })
})

describe('bad options', () => {
  // Each would end up inside CREATE TABLE / CREATE INDEX if it were pasted.
  const hostilePrefixes = [
    'x"; DROP TABLE host; --',
    "mv'",
    'mv_jobs (id); --',
    'mv-',
    '1mv_',
    'mv prefix',
    'sqlite_',
    'мв_',
    'mv\u0000',
    'a'.repeat(80),
    42,
  ]
  it.each(hostilePrefixes)('refuses tablePrefix %j with VALIDATION and creates nothing', async (prefix) => {
    const file = fresh()
    const host = new Database(file)
    host.exec('CREATE TABLE host (id INTEGER)')
    const error = openError(() => sqliteRepository({ database: host }, { tablePrefix: prefix as string }))
    expect(error.code).toBe('VALIDATION')
    expect(error.message).toContain('tablePrefix')
    expect(host.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: 'host' },
    ])
    host.close()
  })

  it('refuses a missing source and negative timeouts', () => {
    expect(openError(() => sqliteRepository({} as { filename: string })).code).toBe('VALIDATION')
    expect(openError(() => sqliteRepository({ filename: fresh() }, { busyTimeoutMs: -1 })).code).toBe(
      'VALIDATION',
    )
    expect(openError(() => sqliteRepository({ filename: fresh() }, { busyRetryMs: Number.NaN })).code).toBe(
      'VALIDATION',
    )
  })

  it('reports a closed repository as STORAGE, not a driver TypeError', async () => {
    const repo = sqliteRepository({ filename: fresh() })
    await repo.close()
    await expect(repo.get('master_1_aaaaaaaa')).rejects.toMatchObject({ code: 'STORAGE' })
  })
})

describe('upgrading a file written by schema version 1', () => {
  it('adds the rendition, HLS and trace columns and reads old records back unchanged', async () => {
    const file = fresh()
    const repo = sqliteRepository({ filename: file })
    const { record } = await repo.create(newJob({ name: 'old' }))
    await repo.close()
    // Turn the file back into what version 1 wrote: no new columns, version 1 only.
    const db = new Database(file)
    for (const column of ['renditions', 'skipped_renditions', 'hls', 'trace_context']) {
      db.exec(`ALTER TABLE mastervideo_jobs DROP COLUMN ${column}`)
    }
    for (const table of ['outbox_events', 'outbox_endpoints', 'outbox_deliveries']) {
      db.exec(`DROP TABLE mastervideo_${table}`)
    }
    db.exec('DELETE FROM mastervideo_migrations WHERE version > 1')
    db.close()

    const upgraded = sqliteRepository({ filename: file })
    const read = await upgraded.get(record.id)
    expect(read).toEqual({ ...record, renditions: [], skippedRenditions: [], hls: null, traceContext: null })
    expect(
      upgraded.database.prepare('SELECT version FROM mastervideo_migrations ORDER BY version').all(),
    ).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })))
    await upgraded.close()
  })
})
