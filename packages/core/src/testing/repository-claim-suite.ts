import { describe, expect, it } from 'vitest'
import { newLeaseToken } from '../record/ids.js'
import { expectCode, sleep } from './expect-code.js'
import {
  newJob,
  type RepositoryConformanceOptions,
  sampleOutput,
  suiteTitle,
  useRepository,
} from './repository-suite.js'

/**
 * Registers the tests of `claim` in one process: the oldest due job moves to
 * `processing` under a fresh lease, nothing is handed out that is not due,
 * concurrent callers never share a job, and an expired lease is taken over
 * with the old holder fenced off. Across OS processes, see
 * {@link multiProcessClaimConformance}.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryClaimConformance } from '@mastervideo/core/testing'
 *
 * repositoryClaimConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryClaimConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('claim', options), () => {
    const t = useRepository(options)

    it('moves the oldest due job to processing under a fresh lease', async () => {
      const older = await t.repository.create(newJob({ runAt: new Date(Date.now() - 1000) }))
      await t.repository.create(newJob())
      await t.repository.create(newJob({ runAt: new Date(Date.now() + 60_000) }))
      const token = newLeaseToken()
      const claimed = await t.repository.claim({ workerId: 'w1', leaseToken: token, leaseMs: 30_000 })
      expect(claimed?.record.id).toBe(older.record.id)
      expect(claimed?.lease).toEqual({ id: older.record.id, token, workerId: 'w1' })
      expect(claimed?.record).toMatchObject({
        status: 'processing',
        attempts: 1,
        leaseOwner: 'w1',
        leaseToken: token,
      })
      expect(claimed?.record.startedAt).toBeInstanceOf(Date)
      expect(claimed?.record.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 20_000)
      expect(await t.stored(older.record.id)).toMatchObject({
        status: 'processing',
        attempts: 1,
        leaseToken: token,
      })
    })

    it('returns null when nothing is due (future runAt, or all taken)', async () => {
      await t.repository.create(newJob({ runAt: new Date(Date.now() + 60_000) }))
      expect(
        await t.repository.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 1000 }),
      ).toBeNull()
      await t.repository.create(newJob())
      await t.claimOne()
      expect(
        await t.repository.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 1000 }),
      ).toBeNull()
    })

    it('gives one job to exactly one of many concurrent claimers', async () => {
      const { record } = await t.repository.create(newJob())
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.repository.claim({ workerId: `w${i}`, leaseToken: newLeaseToken(), leaseMs: 30_000 }),
        ),
      )
      const winners = results.filter((r) => r !== null)
      expect(winners).toHaveLength(1)
      expect(winners[0]?.record.id).toBe(record.id)
    })

    it('hands 30 jobs to 10 racing claimers, each exactly once', async () => {
      for (let i = 0; i < 30; i++) await t.repository.create(newJob())
      const got: string[] = []
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          for (;;) {
            const c = await t.repository.claim({
              workerId: `w${i}`,
              leaseToken: newLeaseToken(),
              leaseMs: 30_000,
            })
            if (!c) return
            got.push(c.record.id)
          }
        }),
      )
      expect(got).toHaveLength(30)
      expect(new Set(got).size).toBe(30)
    })

    it('takes a job whose lease expired, with a new token, and fences the old holder', async () => {
      const { leaseMs } = t
      const { record } = await t.repository.create(newJob())
      const first = await t.claimOne('dead', leaseMs)
      expect(await t.repository.claim({ workerId: 'w2', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
      await sleep(leaseMs + 50)
      const second = await t.claimOne('w2')
      expect(second.record.id).toBe(record.id)
      expect(second.record.attempts).toBe(2)
      expect(second.lease.token).not.toBe(first.lease.token)
      // The frozen worker wakes up: every write it tries is refused, and changes nothing.
      const beat = await t.repository.heartbeat(first.lease, { leaseMs, progress: 0.9 })
      expect(beat).toMatchObject({ ok: false, reason: 'lease_lost' })
      await expectCode(
        t.repository.complete(first.lease, { output: sampleOutput, thumbnailKey: null }),
        'LEASE_LOST',
      )
      await expectCode(
        t.repository.fail(first.lease, { code: 'TRANSCODE_FAILED', message: 'x' }),
        'LEASE_LOST',
      )
      await expectCode(t.repository.release(first.lease), 'LEASE_LOST')
      expect(await t.stored(record.id)).toMatchObject({
        status: 'processing',
        attempts: 2,
        progress: 0,
        leaseToken: second.lease.token,
      })
    })
  })
}
