import type { WebhookEvent } from '../notify/webhook-payload.js'
import type { ClaimedDelivery, Outbox, OutboxDelivery } from './outbox.js'
import { clampOutboxLimit, outboxCounts, publicDelivery } from './outbox-rules.js'

interface Stored extends OutboxDelivery {
  leaseToken: string | null
  leaseExpiresAt: number
}

/** An {@link Outbox} in memory, and the synchronous write its repository calls inside each transition. */
export interface MemoryOutbox {
  outbox: Outbox
  /** Adds the event's deliveries, one per registered endpoint; call it in the same step that stores the transition. */
  write(event: WebhookEvent): void
}

/**
 * The outbox of `memoryRepository()`: the reference behaviour of
 * {@link Outbox}, kept in process memory (nothing survives a restart, as
 * with the jobs themselves).
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 *
 * const repository = memoryRepository()
 * await repository.outbox?.registerEndpoints(['default'])
 * ```
 */
export function memoryOutbox(): MemoryOutbox {
  const endpoints = new Set<string>()
  const deliveries = new Map<string, Stored>()
  const key = (eventId: string, endpoint: string) => `${eventId}\u0000${endpoint}`
  const newestFirst = (a: Stored, b: Stored) =>
    b.createdAt.getTime() - a.createdAt.getTime() || (a.eventId < b.eventId ? 1 : -1)

  function holding(claimed: ClaimedDelivery): Stored | null {
    const stored = deliveries.get(key(claimed.eventId, claimed.endpoint))
    return stored && stored.status === 'pending' && stored.leaseToken === claimed.leaseToken ? stored : null
  }

  const outbox: Outbox = {
    async registerEndpoints(names) {
      for (const name of names) endpoints.add(name)
    },
    async removeEndpoint(name) {
      endpoints.delete(name)
      for (const [k, d] of deliveries) if (d.endpoint === name && d.status === 'pending') deliveries.delete(k)
    },
    async claim({ endpoints: names, leaseToken, leaseMs, limit }) {
      const now = Date.now()
      const due = [...deliveries.values()]
        .filter(
          (d) =>
            names.includes(d.endpoint) &&
            d.status === 'pending' &&
            d.nextAttemptAt.getTime() <= now &&
            (d.leaseToken === null || d.leaseExpiresAt <= now),
        )
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
        .slice(0, clampOutboxLimit(limit, 10))
      return due.map((d) => {
        d.leaseToken = leaseToken
        d.leaseExpiresAt = now + leaseMs
        d.attempts += 1
        d.updatedAt = new Date(now)
        return { ...publicDelivery(d), leaseToken }
      })
    },
    async delivered(claimed) {
      const stored = holding(claimed)
      if (!stored) return false
      const now = new Date()
      Object.assign(stored, { status: 'delivered', leaseToken: null, updatedAt: now, deliveredAt: now })
      return true
    },
    async failed(claimed, { error, retryAt }) {
      const stored = holding(claimed)
      if (!stored) return false
      Object.assign(stored, {
        status: retryAt ? 'pending' : 'dead',
        nextAttemptAt: retryAt ? new Date(retryAt) : stored.nextAttemptAt,
        lastError: error,
        leaseToken: null,
        updatedAt: new Date(),
      })
      return true
    },
    async retry(eventId, { endpoint, projectId } = {}) {
      let moved = 0
      const now = new Date()
      for (const d of deliveries.values()) {
        if (
          d.eventId !== eventId ||
          d.status !== 'dead' ||
          (endpoint !== undefined && d.endpoint !== endpoint) ||
          (projectId !== undefined && d.projectId !== projectId)
        )
          continue
        Object.assign(d, {
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          updatedAt: now,
          leaseToken: null,
        })
        moved++
      }
      return moved
    },
    async list(options = {}) {
      return [...deliveries.values()]
        .filter(
          (d) =>
            (options.status === undefined || d.status === options.status) &&
            (options.projectId === undefined || d.projectId === options.projectId) &&
            (options.endpoint === undefined || d.endpoint === options.endpoint),
        )
        .sort(newestFirst)
        .slice(0, clampOutboxLimit(options.limit, 20))
        .map(publicDelivery)
    },
    async counts(options = {}) {
      return outboxCounts(
        [...deliveries.values()]
          .filter((d) => options.projectId === undefined || d.projectId === options.projectId)
          .map((d) => ({ status: d.status, n: 1 })),
      )
    },
  }

  return {
    outbox,
    write(event) {
      for (const endpoint of endpoints) {
        const k = key(event.id, endpoint)
        if (deliveries.has(k)) continue
        deliveries.set(k, {
          eventId: event.id,
          endpoint,
          jobId: event.jobId,
          projectId: event.projectId,
          type: event.type,
          body: event.body,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: new Date(event.createdAt),
          lastError: null,
          createdAt: new Date(event.createdAt),
          updatedAt: new Date(event.createdAt),
          deliveredAt: null,
          leaseToken: null,
          leaseExpiresAt: 0,
        })
      }
    },
  }
}
