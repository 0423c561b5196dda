// The SQL must write exactly the fields core's applyTransition computes: each
// test compares what the repository stored with applyTransition run on the
// record before, at the instant the repository used (its updatedAt).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { MasterVideo } from '@mastervideo/core'
import { applyTransition } from '@mastervideo/core/adapter'
import { newJob } from '@mastervideo/core/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type SqliteRepository, sqliteRepository } from '../src/index.js'

let dir: string
let repo: SqliteRepository
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-sm-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => {
  repo = sqliteRepository({ filename: path.join(dir, `sm-${n++}.sqlite`) })
})
afterEach(async () => {
  await repo.close()
})

const output = {
  key: 'o.mp4',
  size: 5,
  durationSec: 3,
  width: 640,
  height: 360,
  strategy: 'reencode' as const,
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function claimed(leaseMs = 60_000) {
  const c = await repo.claim({ workerId: 'w1', leaseToken: 'token-1', leaseMs })
  if (!c) throw new Error('nothing claimed')
  return c
}

describe('the SQL writes what applyTransition computes', () => {
  it('claim of a created job', async () => {
    const { record: before } = await repo.create(newJob({ encoding: { crf: 20 } }))
    const { record } = await claimed()
    const data = { workerId: 'w1', leaseToken: 'token-1', leaseMs: 60_000 }
    expect(record).toEqual(applyTransition(before, 'claim', data, record.updatedAt))
    expect(await repo.get(before.id)).toEqual(record)
  })

  it('claim of a processing job whose lease expired (requeue then claim)', async () => {
    await repo.create(newJob())
    const first = await claimed(20)
    await repo.heartbeat(first.lease, { leaseMs: 20, progress: 0.7 })
    const before = (await repo.get(first.record.id)) as MasterVideo
    await sleep(40)
    const second = await repo.claim({ workerId: 'w2', leaseToken: 'token-2', leaseMs: 1000 })
    const now = second?.record.updatedAt as Date
    const requeued = applyTransition(
      before,
      'requeue',
      { runAt: now, error: null, refundAttempt: false },
      now,
    )
    expect(second?.record).toEqual(
      applyTransition(requeued, 'claim', { workerId: 'w2', leaseToken: 'token-2', leaseMs: 1000 }, now),
    )
  })

  it('complete, fail, fail with retry, release, cancel and retry', async () => {
    const check = async (
      act: (before: MasterVideo) => Promise<MasterVideo>,
      expected: (before: MasterVideo, now: Date) => MasterVideo,
    ) => {
      const before = (await repo.get(id)) as MasterVideo
      const after = await act(before)
      expect(after).toEqual(expected(before, after.updatedAt))
      expect(await repo.get(id)).toEqual(after)
    }
    const { record } = await repo.create(newJob())
    const id = record.id
    let lease = (await claimed()).lease
    const error = { code: 'TIMEOUT' as const, message: 'slow' }
    const retryAt = new Date(Date.now() + 5)
    await check(
      () => repo.fail(lease, error, { retryAt }),
      (b, now) => applyTransition(b, 'requeue', { runAt: retryAt, error, refundAttempt: false }, now),
    )
    await sleep(10)
    lease = (await claimed()).lease
    await check(
      () => repo.release(lease),
      (b, now) => applyTransition(b, 'requeue', { runAt: now, error: null, refundAttempt: true }, now),
    )
    lease = (await claimed()).lease
    await check(
      () => repo.fail(lease, { code: 'INPUT_INVALID', message: 'bad' }),
      (b, now) => applyTransition(b, 'fail', { error: { code: 'INPUT_INVALID', message: 'bad' } }, now),
    )
    await check(
      () => repo.retry(id),
      (b, now) => applyTransition(b, 'retry', {}, now),
    )
    lease = (await claimed()).lease
    await check(
      () => repo.cancel(id),
      (b, now) => applyTransition(b, 'cancel', {}, now),
    )
    await check(
      () => repo.retry(id),
      (b, now) => applyTransition(b, 'retry', {}, now),
    )
    lease = (await claimed()).lease
    await check(
      () => repo.complete(lease, { output, thumbnailKey: 'o.jpg' }),
      (b, now) => applyTransition(b, 'complete', { output, thumbnailKey: 'o.jpg' }, now),
    )
  })
})
