import { describe, expect, it } from 'vitest'
import { newLeaseToken } from '../record/ids.js'
import { sleep } from './expect-code.js'
import { newJob, type RepositoryConformanceOptions, suiteTitle, useRepository } from './repository-suite.js'

/**
 * Registers the tests of `heartbeat`: it renews the lease and stores
 * progress, and tells the worker, writing nothing, when its job was canceled
 * or its lease is gone.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryHeartbeatConformance } from '@mastervideo/core/testing'
 *
 * repositoryHeartbeatConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryHeartbeatConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('heartbeat', options), () => {
    const t = useRepository(options)

    it('renews the lease and stores progress', async () => {
      const { leaseMs } = t
      await t.repository.create(newJob())
      const { record, lease } = await t.claimOne('w1', leaseMs)
      await sleep(leaseMs / 2)
      const beat = await t.repository.heartbeat(lease, { leaseMs: 30_000, progress: 0.4 })
      expect(beat.ok).toBe(true)
      if (beat.ok) {
        expect(beat.record.progress).toBeCloseTo(0.4)
        expect(beat.record.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 20_000)
      }
      expect((await t.stored(record.id))?.progress).toBeCloseTo(0.4)
      await sleep(leaseMs)
      // Renewed: not claimable although the first lease would have expired.
      expect(await t.repository.claim({ workerId: 'w2', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
    })

    it('keeps the stored progress when none is given', async () => {
      await t.repository.create(newJob())
      const { record, lease } = await t.claimOne()
      await t.repository.heartbeat(lease, { leaseMs: 30_000, progress: 0.25 })
      const beat = await t.repository.heartbeat(lease, { leaseMs: 30_000 })
      expect(beat.ok).toBe(true)
      expect((await t.stored(record.id))?.progress).toBeCloseTo(0.25)
    })

    it('tells the worker when its job was canceled, writing nothing', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      await t.repository.cancel(record.id)
      expect(await t.repository.heartbeat(lease, { leaseMs: t.leaseMs, progress: 0.5 })).toMatchObject({
        ok: false,
        reason: 'canceled',
      })
      expect(await t.stored(record.id)).toMatchObject({ status: 'canceled', progress: 0, leaseToken: null })
    })

    it('tells the worker its lease is lost when the job was deleted', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      await t.repository.delete(record.id)
      expect(await t.repository.heartbeat(lease, { leaseMs: t.leaseMs })).toMatchObject({
        ok: false,
        reason: 'lease_lost',
      })
      expect(await t.stored(record.id)).toBeNull()
    })
  })
}
