import { describe, expect, it } from 'vitest'
import { newLeaseToken } from '../record/ids.js'
import { expectCode } from './expect-code.js'
import {
  newJob,
  type RepositoryConformanceOptions,
  sampleOutput,
  suiteTitle,
  useRepository,
} from './repository-suite.js'

/**
 * Registers the tests of the writes after a claim and of the manual ones:
 * `complete` (and its repetition after a lost reply), `fail` (with and without `retryAt`), `release`, `retry` (with and without new encoding options),
 * `cancel` and `delete`, each with the fields it writes and each refusal
 * (`LEASE_LOST`, `ILLEGAL_TRANSITION`, `NOT_FOUND`).
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryTransitionConformance } from '@mastervideo/core/testing'
 *
 * repositoryTransitionConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryTransitionConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('transitions', options), () => {
    const t = useRepository(options)
    const output = sampleOutput

    it('complete: processing -> completed with the output, lease cleared', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const done = await t.repository.complete(lease, { output, thumbnailKey: 'k.jpg' })
      expect(done).toMatchObject({
        status: 'completed',
        progress: 1,
        output,
        thumbnailKey: 'k.jpg',
        leaseToken: null,
      })
      expect(done.completedAt).toBeInstanceOf(Date)
      expect(await t.repository.get(record.id)).toEqual(done)
      expect(await t.stored(record.id)).toMatchObject({ status: 'completed', progress: 1, leaseToken: null })
      await expectCode(
        t.repository.complete(lease, { output: { ...output, key: 'another.mp4' }, thumbnailKey: null }),
        'LEASE_LOST',
      )
    })

    it('complete repeated after its reply was lost: the stored record, not LEASE_LOST, and nothing rewritten', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const done = await t.repository.complete(lease, { output, thumbnailKey: 'k.jpg' })
      // The same write again (a re-send): recognised by its output key.
      expect(await t.repository.complete(lease, { output, thumbnailKey: 'k.jpg' })).toEqual(done)
      expect(await t.repository.get(record.id)).toEqual(done)
      // Another worker's complete of the same job is still refused.
      const other = { ...lease, token: newLeaseToken() }
      await expectCode(
        t.repository.complete(other, { output: { ...output, key: 'other.mp4' }, thumbnailKey: null }),
        'LEASE_LOST',
      )
    })

    it('fail with retryAt: processing -> created, attempts kept, error stored, not due before retryAt', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const retryAt = new Date(Date.now() + 60_000)
      const back = await t.repository.fail(lease, { code: 'TIMEOUT', message: 'slow' }, { retryAt })
      expect(back).toMatchObject({
        status: 'created',
        attempts: 1,
        error: { code: 'TIMEOUT', message: 'slow' },
      })
      expect(back.runAt.getTime()).toBe(retryAt.getTime())
      expect(
        await t.repository.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: t.leaseMs }),
      ).toBeNull()
      expect(await t.stored(record.id)).toMatchObject({ status: 'created', attempts: 1, leaseToken: null })
    })

    it('fail without retryAt: processing -> failed', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const failed = await t.repository.fail(lease, { code: 'INPUT_INVALID', message: 'bad clip' })
      expect(failed).toMatchObject({
        status: 'failed',
        error: { code: 'INPUT_INVALID', message: 'bad clip' },
      })
      expect(failed.leaseToken).toBeNull()
      expect((await t.stored(record.id))?.status).toBe('failed')
      await expectCode(t.repository.fail(lease, { code: 'INPUT_INVALID', message: 'again' }), 'LEASE_LOST')
    })

    it('release: processing -> created without using up the attempt', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const back = await t.repository.release(lease)
      expect(back).toMatchObject({ status: 'created', attempts: 0, leaseToken: null })
      expect(await t.stored(record.id)).toMatchObject({ status: 'created', attempts: 0, leaseToken: null })
      await expectCode(t.repository.release(lease), 'LEASE_LOST')
      const again = await t.claimOne()
      expect(again.record).toMatchObject({ id: record.id, attempts: 1 })
    })

    it('retry: failed or canceled -> created with attempts reset; refused from other statuses', async () => {
      const { record } = await t.repository.create(newJob())
      await expectCode(t.repository.retry(record.id), 'ILLEGAL_TRANSITION')
      const { lease } = await t.claimOne()
      await expectCode(t.repository.retry(record.id), 'ILLEGAL_TRANSITION')
      await t.repository.fail(lease, { code: 'TRANSCODE_FAILED', message: 'x' })
      const retried = await t.repository.retry(record.id)
      expect(retried).toMatchObject({ status: 'created', attempts: 0, error: null, progress: 0 })
      expect(await t.stored(record.id)).toMatchObject({ status: 'created', attempts: 0 })
      await t.repository.cancel(record.id)
      expect((await t.repository.retry(record.id)).status).toBe('created')
      const c = await t.claimOne()
      await t.repository.complete(c.lease, { output, thumbnailKey: null })
      await expectCode(t.repository.retry(record.id), 'ILLEGAL_TRANSITION')
      await expectCode(t.repository.retry('master_0_missing0'), 'NOT_FOUND')
    })

    it("retry with encoding: the job's encoding options are replaced in the same write", async () => {
      const { record } = await t.repository.create(newJob({ encoding: { strategy: 'copy', crf: 20 } }))
      await t.repository.cancel(record.id)
      const encoding = { strategy: 'reencode' as const, crf: 20, preset: 'veryfast' }
      const retried = await t.repository.retry(record.id, { encoding })
      expect(retried).toMatchObject({ status: 'created', encoding })
      expect((await t.repository.get(record.id))?.encoding).toEqual(encoding)
      await t.repository.cancel(record.id)
      // Without options the encoding stays as it is.
      expect((await t.repository.retry(record.id)).encoding).toEqual(encoding)
    })

    it('cancel: created or processing -> canceled; refused when final', async () => {
      const a = await t.repository.create(newJob())
      expect((await t.repository.cancel(a.record.id)).status).toBe('canceled')
      await expectCode(t.repository.cancel(a.record.id), 'ILLEGAL_TRANSITION')
      const b = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      const canceled = await t.repository.cancel(b.record.id)
      expect(canceled).toMatchObject({ status: 'canceled', leaseToken: null })
      await expectCode(t.repository.complete(lease, { output, thumbnailKey: null }), 'LEASE_LOST')
      await expectCode(t.repository.cancel('master_0_missing0'), 'NOT_FOUND')
      expect((await t.stored(b.record.id))?.status).toBe('canceled')
    })

    it('a canceled job is never claimed', async () => {
      const { record } = await t.repository.create(newJob())
      await t.repository.cancel(record.id)
      expect(
        await t.repository.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: t.leaseMs }),
      ).toBeNull()
    })

    it('delete removes the job in any status and returns it', async () => {
      const { record } = await t.repository.create(newJob())
      await t.claimOne()
      const deleted = await t.repository.delete(record.id)
      expect(deleted?.id).toBe(record.id)
      expect(await t.repository.get(record.id)).toBeNull()
      expect(await t.stored(record.id)).toBeNull()
      expect(await t.repository.delete(record.id)).toBeNull()
    })
  })
}
