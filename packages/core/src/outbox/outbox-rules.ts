import type { OutboxCounts, OutboxDelivery } from './outbox.js'

/** How many deliveries one claim or list returns: 1..100, default given. */
export function clampOutboxLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback
  return Math.min(100, Math.max(1, Math.trunc(limit)))
}

/** Counts with every status present, from rows of (status, n). */
export function outboxCounts(rows: Iterable<{ status: string; n: number | bigint | string }>): OutboxCounts {
  const counts: OutboxCounts = { pending: 0, delivered: 0, dead: 0 }
  for (const { status, n } of rows) {
    if (status === 'pending' || status === 'delivered' || status === 'dead') counts[status] += Number(n)
  }
  return counts
}

/** A delivery's public shape, dropping any claim fields a store keeps beside it. */
export function publicDelivery(delivery: OutboxDelivery): OutboxDelivery {
  return {
    eventId: delivery.eventId,
    endpoint: delivery.endpoint,
    jobId: delivery.jobId,
    projectId: delivery.projectId,
    type: delivery.type,
    body: delivery.body,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: new Date(delivery.nextAttemptAt),
    lastError: delivery.lastError,
    createdAt: new Date(delivery.createdAt),
    updatedAt: new Date(delivery.updatedAt),
    deliveredAt: delivery.deliveredAt ? new Date(delivery.deliveredAt) : null,
  }
}
