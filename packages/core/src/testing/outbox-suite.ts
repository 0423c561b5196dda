import { describe, expect, it } from 'vitest'
import { type WebhookPayload, webhookEventId } from '../notify/webhook-payload.js'
import type { ClaimedDelivery, Outbox } from '../outbox/outbox.js'
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
 * Registers vitest tests that check a repository's webhook outbox keeps
 * every obligation of `Outbox`: the event and its deliveries are written by
 * exactly the transitions that report (`completed`, `failed`, `canceled`)
 * under the stable `webhook-id`, one per registered endpoint, never by a
 * refused write; claims hand a delivery to one caller and lapse; outcomes
 * are fenced by the claim token; dead deliveries retry; counts add up. The
 * repository under test MUST have an `outbox`.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { outboxConformance } from '@mastervideo/core/testing'
 *
 * outboxConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function outboxConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('outbox', options), () => {
    const t = useRepository(options)
    const outbox = (): Outbox => {
      const found = t.repository.outbox
      if (!found) throw new Error('outboxConformance needs a repository with an outbox')
      return found
    }
    const claimAll = (leaseMs = 30_000, endpoints = ['a', 'b']) =>
      outbox().claim({ endpoints, leaseToken: newLeaseToken(), leaseMs, limit: 100 })
    const completeOne = async (projectId = 'project-1') => {
      await t.repository.create(newJob({ projectId }))
      const { lease } = await t.claimOne()
      return t.repository.complete(lease, { output: sampleOutput, thumbnailKey: null })
    }

    it('a completed job writes one pending delivery per registered endpoint, with the stable webhook-id and the payload', async () => {
      await outbox().registerEndpoints(['a', 'b'])
      await outbox().registerEndpoints(['a'])
      const done = await completeOne()
      const pending = await outbox().list({ status: 'pending' })
      expect(pending.map((d) => d.endpoint).sort()).toEqual(['a', 'b'])
      const id = webhookEventId('master_video.completed', done)
      for (const delivery of pending) {
        expect(delivery).toMatchObject({
          eventId: id,
          jobId: done.id,
          projectId: done.projectId,
          type: 'master_video.completed',
          status: 'pending',
          attempts: 0,
          lastError: null,
          deliveredAt: null,
        })
        const payload = JSON.parse(delivery.body) as WebhookPayload
        expect(payload.type).toBe('master_video.completed')
        expect(payload.timestamp).toBe(done.updatedAt.toISOString())
        expect(payload.data).toMatchObject({ id: done.id, status: 'completed', output: sampleOutput })
        expect(payload.data).not.toHaveProperty('leaseToken')
        expect(payload.data).not.toHaveProperty('leaseOwner')
        expect(payload.data).not.toHaveProperty('traceContext')
      }
      expect(await outbox().counts()).toEqual({ pending: 2, delivered: 0, dead: 0 })
    })

    it('fail without retryAt and cancel report; create, claim, heartbeat, requeue, release and retry do not', async () => {
      await outbox().registerEndpoints(['a'])
      const { record: job } = await t.repository.create(newJob())
      let { lease } = await t.claimOne()
      await t.repository.heartbeat(lease, { leaseMs: 30_000, progress: 0.5 })
      await t.repository.fail(
        lease,
        { code: 'TIMEOUT', message: 'slow' },
        { retryAt: new Date(Date.now() - 1) },
      )
      ;({ lease } = await t.claimOne())
      await t.repository.release(lease)
      expect(await outbox().list()).toEqual([])
      ;({ lease } = await t.claimOne())
      const failed = await t.repository.fail(lease, { code: 'TRANSCODE_FAILED', message: 'bad input' })
      await t.repository.retry(job.id)
      const canceled = await t.repository.cancel(job.id)
      const events = (await outbox().list()).map((d) => d.eventId).sort()
      expect(events).toEqual(
        [
          webhookEventId('master_video.failed', failed),
          webhookEventId('master_video.canceled', canceled),
        ].sort(),
      )
    })

    it('a refused write writes no event, and an endpoint registered later gets no earlier event', async () => {
      await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      await t.repository.complete(lease, { output: sampleOutput, thumbnailKey: null })
      await outbox().registerEndpoints(['a'])
      await expectCode(t.repository.fail(lease, { code: 'TIMEOUT', message: 'late' }), 'LEASE_LOST')
      expect(await outbox().list()).toEqual([])
      expect(await outbox().counts()).toEqual({ pending: 0, delivered: 0, dead: 0 })
    })

    it('concurrent claims hand each delivery to exactly one caller and count the attempt', async () => {
      await outbox().registerEndpoints(['a', 'b'])
      for (let i = 0; i < 3; i++) await completeOne()
      const batches = await Promise.all(Array.from({ length: 5 }, () => claimAll()))
      const taken = batches.flat()
      expect(taken).toHaveLength(6)
      expect(new Set(taken.map((d) => `${d.eventId}/${d.endpoint}`)).size).toBe(6)
      for (const d of taken) expect(d.attempts).toBe(1)
      expect(await claimAll()).toEqual([])
      // Only the endpoints asked for.
      await completeOne()
      expect((await claimAll(30_000, ['b'])).map((d) => d.endpoint)).toEqual(['b'])
    })

    it('a claim lapses after leaseMs: another caller takes the delivery and the first one can no longer write', async () => {
      await outbox().registerEndpoints(['a'])
      await completeOne()
      const [first] = (await claimAll(t.leaseMs)) as [ClaimedDelivery]
      expect(await claimAll()).toEqual([])
      await sleep(t.leaseMs + 100)
      const [second] = (await claimAll()) as [ClaimedDelivery]
      expect(second).toMatchObject({ eventId: first.eventId, attempts: 2 })
      expect(await outbox().delivered(first)).toBe(false)
      expect(await outbox().failed(first, { error: 'x', retryAt: null })).toBe(false)
      expect(await outbox().delivered(second)).toBe(true)
      expect(await outbox().delivered(second)).toBe(false)
      const [stored] = await outbox().list({ status: 'delivered' })
      expect(stored?.deliveredAt).toBeInstanceOf(Date)
      expect(await outbox().counts()).toEqual({ pending: 0, delivered: 1, dead: 0 })
    })

    it('failed with retryAt waits until then; failed with null is dead; retry makes it pending again', async () => {
      await outbox().registerEndpoints(['a'])
      await completeOne()
      const [first] = (await claimAll()) as [ClaimedDelivery]
      expect(
        await outbox().failed(first, { error: 'HTTP 500', retryAt: new Date(Date.now() + 60_000) }),
      ).toBe(true)
      expect(await claimAll()).toEqual([])
      const [waiting] = await outbox().list({ status: 'pending' })
      expect(waiting).toMatchObject({ lastError: 'HTTP 500', attempts: 1 })
      expect(waiting?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000)
      expect(await outbox().retry(first.eventId)).toBe(0)

      await outbox().registerEndpoints(['b'])
      await completeOne()
      const [second] = (await claimAll()) as [ClaimedDelivery]
      expect(await outbox().failed(second, { error: 'HTTP 410', retryAt: null })).toBe(true)
      expect(await outbox().list({ status: 'dead' })).toMatchObject([
        { eventId: second.eventId, lastError: 'HTTP 410' },
      ])
      expect(await outbox().counts()).toEqual({ pending: 2, delivered: 0, dead: 1 })
      expect(await outbox().retry(second.eventId, { endpoint: 'other' })).toBe(0)
      expect(await outbox().retry(second.eventId, { projectId: 'another-project' })).toBe(0)
      expect(
        await outbox().retry(second.eventId, { endpoint: second.endpoint, projectId: second.projectId }),
      ).toBe(1)
      const [again] = (await claimAll()) as [ClaimedDelivery]
      expect(again).toMatchObject({ eventId: second.eventId, attempts: 1, status: 'pending' })
    })

    it('counts and lists by project; removeEndpoint drops only its pending deliveries', async () => {
      await outbox().registerEndpoints(['a', 'b'])
      await completeOne('p1')
      await completeOne('p2')
      expect(await outbox().counts({ projectId: 'p1' })).toEqual({ pending: 2, delivered: 0, dead: 0 })
      expect((await outbox().list({ projectId: 'p2', endpoint: 'a' })).map((d) => d.projectId)).toEqual([
        'p2',
      ])
      expect(await outbox().list({ limit: 1 })).toHaveLength(1)
      const [one] = (await claimAll(30_000, ['b'])) as [ClaimedDelivery]
      await outbox().delivered(one)
      await outbox().removeEndpoint('b')
      expect(await outbox().counts()).toEqual({ pending: 2, delivered: 1, dead: 0 })
      await completeOne('p1')
      expect(await outbox().counts()).toEqual({ pending: 3, delivered: 1, dead: 0 })
    })
  })
}
