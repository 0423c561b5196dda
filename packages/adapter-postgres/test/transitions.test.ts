import './cjs-conditions.js'
import type { MasterVideo, TransitionEvent } from '@mastervideo/core'
import { applyTransition, newLeaseToken, type TransitionData } from '@mastervideo/core/adapter'
import { newJob } from '@mastervideo/core/testing'
import { describe, expect, it, vi } from 'vitest'
import type { PostgresRepository } from '../src/index.js'
import { usePostgres } from './helpers.js'

const db = usePostgres()
const output = { key: 'o.mp4', size: 5, durationSec: 1, width: 2, height: 2, strategy: 'reencode' as const }

/** What core says `event` leaves behind, at the database time the write stamped. */
function expected<E extends TransitionEvent>(
  before: MasterVideo,
  event: E,
  data: TransitionData[E],
  after: MasterVideo,
): MasterVideo {
  return applyTransition(before, event, data, after.updatedAt)
}

async function claimed(repo: PostgresRepository, leaseMs = 30_000) {
  const token = newLeaseToken()
  const result = await repo.claim({ workerId: 'w1', leaseToken: token, leaseMs })
  if (!result) throw new Error('nothing claimed')
  return result
}

// Each SQL write must store exactly what core's pure applyTransition computes,
// field by field, so the SQL can never drift from the state machine.
describe('every write stores what applyTransition computes', () => {
  it('claim, complete', async () => {
    const repo = await db.repository()
    const { record: created } = await repo.create(newJob())
    const { record, lease } = await claimed(repo)
    expect(record).toEqual(
      expected(created, 'claim', { workerId: 'w1', leaseToken: lease.token, leaseMs: 30_000 }, record),
    )
    const done = await repo.complete(lease, { output, thumbnailKey: 't.jpg' })
    expect(done).toEqual(expected(record, 'complete', { output, thumbnailKey: 't.jpg' }, done))
    expect(await repo.get(done.id)).toEqual(done)
    await repo.close()
  })

  it('fail with and without retryAt, retry, release, cancel', async () => {
    const repo = await db.repository()
    await repo.create(newJob())
    const first = await claimed(repo)
    const error = { code: 'TIMEOUT' as const, message: 'slow' }
    const runAt = new Date(Date.now() - 5)
    const requeued = await repo.fail(first.lease, error, { retryAt: runAt })
    expect(requeued).toEqual(
      expected(first.record, 'requeue', { runAt, error, refundAttempt: false }, requeued),
    )

    const second = await claimed(repo)
    const failed = await repo.fail(second.lease, { code: 'INPUT_INVALID', message: 'bad' })
    expect(failed).toEqual(
      expected(second.record, 'fail', { error: { code: 'INPUT_INVALID', message: 'bad' } }, failed),
    )

    const retried = await repo.retry(failed.id)
    expect(retried).toEqual(expected(failed, 'retry', {}, retried))

    const third = await claimed(repo)
    const released = await repo.release(third.lease)
    expect(released).toEqual(
      expected(
        third.record,
        'requeue',
        { runAt: released.updatedAt, error: null, refundAttempt: true },
        released,
      ),
    )

    const fourth = await claimed(repo)
    const canceled = await repo.cancel(fourth.record.id)
    expect(canceled).toEqual(expected(fourth.record, 'cancel', {}, canceled))
    await repo.close()
  })

  it('an expired lease is requeued and claimed in one write', async () => {
    const repo = await db.repository()
    await repo.create(newJob())
    const dead = await claimed(repo, 50)
    await new Promise((resolve) => setTimeout(resolve, 120))
    const taken = await claimed(repo)
    const requeued = applyTransition(
      dead.record,
      'requeue',
      { runAt: taken.record.updatedAt, error: null, refundAttempt: false },
      taken.record.updatedAt,
    )
    expect(taken.record).toEqual(
      expected(
        requeued,
        'claim',
        { workerId: 'w1', leaseToken: taken.lease.token, leaseMs: 30_000 },
        taken.record,
      ),
    )
    await repo.close()
  })

  it('heartbeat renews the lease from database time and clamps progress to 0..1', async () => {
    const repo = await db.repository()
    await repo.create(newJob())
    const { lease } = await claimed(repo)
    const beat = await repo.heartbeat(lease, { leaseMs: 10_000, progress: 7 })
    if (!beat.ok) throw new Error('heartbeat refused')
    expect(beat.record.progress).toBe(1)
    expect(beat.record.leaseExpiresAt?.getTime()).toBe(beat.record.updatedAt.getTime() + 10_000)
    const { rows } = await db.admin().query(
      `SELECT lease_expires_at - updated_at = interval '10 seconds' AS exact,
              abs(extract(epoch FROM updated_at - now())) < 5 AS database_time
       FROM ${repo.schema}.master_videos WHERE id = $1`,
      [lease.id],
    )
    expect(rows[0]).toEqual({ exact: true, database_time: true })
    const low = await repo.heartbeat(lease, { leaseMs: 10_000, progress: -1 })
    expect(low.ok && low.record.progress).toBe(0)
    await repo.close()
  })
})

describe('times and refusals', () => {
  it("stamps every write with database time, whatever this machine's clock says", async () => {
    const repo = await db.repository()
    const { record: created } = await repo.create(newJob())
    const { lease } = await claimed(repo)
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2001-01-01T00:00:00Z') })
    try {
      const done = await repo.complete(lease, { output, thumbnailKey: null })
      expect(done.updatedAt.getTime()).toBeGreaterThanOrEqual(created.createdAt.getTime())
      const retried = await repo.retry(done.id).catch((error: unknown) => error)
      expect(retried).toMatchObject({ code: 'ILLEGAL_TRANSITION', origin: '@mastervideo/adapter-postgres' })
      expect((retried as Error).message).toMatch(/^Cannot retry a completed job/)
    } finally {
      vi.useRealTimers()
    }
    const { rows } = await db.admin().query(
      `SELECT abs(extract(epoch FROM updated_at - now())) < 5 AS database_time,
              abs(extract(epoch FROM completed_at - now())) < 5 AS completed_database_time
       FROM ${repo.schema}.master_videos WHERE id = $1`,
      [lease.id],
    )
    expect(rows[0]).toEqual({ database_time: true, completed_database_time: true })
    await repo.close()
  })

  it('explains a refused write as NOT_FOUND or LEASE_LOST, with the origin and no prefix', async () => {
    const repo = await db.repository()
    await repo.create(newJob())
    const { lease } = await claimed(repo)
    await repo.cancel(lease.id)
    const lost = await repo.complete(lease, { output, thumbnailKey: null }).catch((error: unknown) => error)
    expect(lost).toMatchObject({ code: 'LEASE_LOST', origin: '@mastervideo/adapter-postgres' })
    expect((lost as Error).message).toBe(`The lease on ${lease.id} is lost`)
    const missing = await repo.cancel('master_1_nothere0').catch((error: unknown) => error)
    expect(missing).toMatchObject({ code: 'NOT_FOUND', origin: '@mastervideo/adapter-postgres' })
    await repo.close()
  })
})
