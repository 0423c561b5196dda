// SQLite cannot leave a write's outcome unknown the way a network can:
// better-sqlite3 is synchronous, and a COMMIT refused with SQLITE_BUSY keeps
// the transaction open, which the repository rolls back before it tries the
// whole read-and-write again. These tests pin that down.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { newJob } from '@mastervideo/core/testing'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteRepository } from '../src/index.js'

let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-outcome-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const output = { key: 'v.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }

/**
 * A repository on a rollback-journal database, and a reader that holds a
 * SHARED lock: the writer's COMMIT needs EXCLUSIVE, so it is refused with
 * SQLITE_BUSY after the writes of the transaction were made.
 */
async function busyAtCommit(busyRetryMs: number) {
  const file = path.join(dir, `outcome-${n++}.sqlite`)
  const database = new Database(file)
  database.pragma('journal_mode = DELETE')
  const repo = sqliteRepository({ database }, { busyRetryMs, busyTimeoutMs: 1 })
  await repo.create(newJob())
  const claimed = await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 60_000 })
  if (!claimed) throw new Error('nothing claimed')
  const reader = new Database(file)
  reader.exec('BEGIN')
  reader.prepare('SELECT count(*) FROM sqlite_master').get()
  return { repo, database, reader, claimed, file }
}

describe('a COMMIT refused with SQLITE_BUSY', () => {
  it('commits nothing, and the retried complete lands once the lock is free', async () => {
    const { repo, database, reader, claimed } = await busyAtCommit(5000)
    setTimeout(() => reader.exec('COMMIT'), 100)
    const done = await repo.complete(claimed.lease, { output, thumbnailKey: null })
    expect(done).toMatchObject({ status: 'completed', output: { key: 'v.mp4' } })
    // And a re-sent complete is recognised, not refused.
    expect(await repo.complete(claimed.lease, { output, thumbnailKey: null })).toEqual(done)
    reader.close()
    database.close()
  })

  it('past the retry budget: a retryable STORAGE error, and the job is as before the call', async () => {
    const { repo, database, reader, claimed, file } = await busyAtCommit(50)
    await expect(repo.complete(claimed.lease, { output, thumbnailKey: null })).rejects.toMatchObject({
      code: 'STORAGE',
      retryable: true,
    })
    expect(database.inTransaction).toBe(false)
    reader.exec('COMMIT')
    reader.close()
    const fresh = sqliteRepository({ database: new Database(file) })
    expect(await fresh.get(claimed.record.id)).toMatchObject({ status: 'processing', output: null })
    database.close()
  })

  it('a closed handle refuses before writing: the job is as before the call', async () => {
    const { repo, database, reader, claimed, file } = await busyAtCommit(50)
    reader.exec('COMMIT')
    reader.close()
    database.close()
    await expect(repo.complete(claimed.lease, { output, thumbnailKey: null })).rejects.toThrow()
    const fresh = sqliteRepository({ database: new Database(file) })
    expect(await fresh.get(claimed.record.id)).toMatchObject({ status: 'processing', output: null })
  })
})
