// A database locked by another connection: calls wait without blocking the
// event loop, and past the budget fail with a typed, retryable STORAGE error;
// a raw SQLITE_BUSY never reaches the caller.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { newJob } from '@mastervideo/core/testing'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteRepository } from '../src/index.js'

let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-busy-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function lockedFile() {
  const file = path.join(dir, `busy-${n++}.sqlite`)
  const repo = sqliteRepository({ filename: file })
  const other = new Database(file)
  other.exec('BEGIN IMMEDIATE') // holds the write lock, as another process mid-write would
  return { repo, other }
}

describe('a database locked by another connection', () => {
  it('waits for the lock with timers, so the event loop keeps running, then succeeds', async () => {
    const { repo, other } = lockedFile()
    let ticks = 0
    const ticker = setInterval(() => ticks++, 1)
    let settled = false
    const creating = repo.create(newJob()).finally(() => {
      settled = true
    })
    // What the loop saw while the lock was held, just before it was released.
    const atRelease = new Promise<{ ticks: number; settled: boolean }>((resolve) =>
      setTimeout(() => {
        const seen = { ticks, settled }
        other.exec('COMMIT')
        resolve(seen)
      }, 150),
    )
    const seen = await atRelease
    const { record, created } = await creating
    clearInterval(ticker)
    // The create was still waiting for the lock when it was released...
    expect(seen.settled).toBe(false)
    // ...and meanwhile a 1 ms timer fired many times: the wait did not block
    // the loop (a blocking wait would leave it at 0 or 1).
    expect(seen.ticks).toBeGreaterThanOrEqual(10)
    expect(created).toBe(true)
    expect(await repo.get(record.id)).toMatchObject({ status: 'created' })
    other.close()
    await repo.close()
  })

  it('fails past busyRetryMs with a retryable STORAGE error whose cause is the SQLITE_BUSY', async () => {
    const { repo: first, other } = lockedFile()
    await first.close()
    // A host connection; busyTimeoutMs is applied to it because it is given explicitly.
    const repo = sqliteRepository(
      { database: new Database(other.name) },
      { busyRetryMs: 30, busyTimeoutMs: 5 },
    )
    expect(repo.database.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 5 })
    for (const call of [
      () => repo.create(newJob()),
      () => repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 1000 }),
      () => repo.cancel('master_1_aaaaaaaa'),
    ]) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      )
      expect(isMasterVideoError(error)).toBe(true)
      expect(error).toMatchObject({
        code: 'STORAGE',
        retryable: true,
        details: { sqliteCode: 'SQLITE_BUSY' },
      })
      expect((error as Error).message).toMatch(/^cannot .*locked/)
      expect(error).toMatchObject({ origin: '@mastervideo/adapter-sqlite' })
      expect((error as { cause: { code: string } }).cause.code).toBe('SQLITE_BUSY')
    }
    other.exec('ROLLBACK')
    other.close()
    repo.database.close()
  })
})
