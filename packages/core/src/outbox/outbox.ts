import type { WebhookEventType } from '../notify/webhook-payload.js'

/** Where one delivery stands: waiting (or being sent), sent and acknowledged, or given up. */
export type OutboxDeliveryStatus = 'pending' | 'delivered' | 'dead'

/**
 * One event to one named endpoint. The event was written by the transition
 * that caused it, in the same transaction; `body` is the exact JSON sent
 * every time (so a retry carries the same bytes under the same `webhook-id`).
 */
export interface OutboxDelivery {
  /** The Standard Webhooks `webhook-id`: stable per job, outcome and `updatedAt`; receivers dedupe by it. */
  eventId: string
  /** The endpoint's name, as the dispatcher was configured (never its URL or secret). */
  endpoint: string
  jobId: string
  projectId: string
  type: WebhookEventType
  /** The JSON {@link WebhookPayload}, as signed and sent. */
  body: string
  status: OutboxDeliveryStatus
  /** Sends started so far (a claim counts one, even if the sender died before finishing it). */
  attempts: number
  /** When a pending delivery is due next. */
  nextAttemptAt: Date
  /** Why the last send failed (status code or network error), or null. */
  lastError: string | null
  createdAt: Date
  updatedAt: Date
  deliveredAt: Date | null
}

/** A delivery a dispatcher holds: the token fences its `delivered`/`failed` writes. */
export interface ClaimedDelivery extends OutboxDelivery {
  leaseToken: string
}

/** Arguments of {@link Outbox.claim}. */
export interface OutboxClaimOptions {
  /** Only deliveries to these endpoint names (the ones this process can send to). */
  endpoints: readonly string[]
  /** A fresh token for this claim. */
  leaseToken: string
  /** How long the claim lasts; after that another process may send the delivery again. */
  leaseMs: number
  /** Most deliveries taken at once. Default 10. */
  limit?: number
}

/** Arguments of {@link Outbox.list}. */
export interface OutboxListOptions {
  status?: OutboxDeliveryStatus
  projectId?: string
  endpoint?: string
  /** Clamped to 1..100. Default 20. */
  limit?: number
}

/** Deliveries by status, for stats and dashboards. */
export interface OutboxCounts {
  pending: number
  delivered: number
  dead: number
}

/**
 * A transactional webhook outbox kept by a repository. When a job becomes
 * `completed`, `failed` or `canceled`, the repository writes the event, and
 * one pending delivery per registered endpoint, in the same transaction as
 * the transition: a crash either keeps both or neither. Dispatchers in any
 * number of processes then claim due deliveries, send them, and record the
 * outcome. The contract is at least once: a sender that dies mid-send leaves
 * its claim to expire, and the delivery is sent again under the same event id.
 *
 * Obligations every implementation MUST meet:
 * - The event and its deliveries are written atomically with the transition
 *   (same transaction, or the same synchronous step in memory), and only when
 *   that transition is written; the event id is `webhookEventId(type, record)`.
 * - An endpoint receives the events of transitions committed after it was
 *   registered; registering again changes nothing.
 * - `claim` hands a due delivery (pending, `nextAttemptAt <= now`, no live
 *   claim) to exactly one of any number of concurrent callers, counts the
 *   attempt, and holds it for `leaseMs`.
 * - `delivered` and `failed` write only while the caller's claim token still
 *   matches; otherwise they return false and change nothing.
 * - `retry` moves dead deliveries back to pending, due now, attempts 0.
 * - Returned objects are copies.
 */
export interface Outbox {
  /** Adds endpoint names new events fan out to. Idempotent. */
  registerEndpoints(names: readonly string[]): Promise<void>
  /** Stops fanning out to `name` and drops its pending deliveries (delivered and dead ones stay). */
  removeEndpoint(name: string): Promise<void>
  /** Claims up to `limit` due deliveries, oldest due first. */
  claim(options: OutboxClaimOptions): Promise<ClaimedDelivery[]>
  /** Marks a claimed delivery sent. False when the claim was lost. */
  delivered(delivery: ClaimedDelivery): Promise<boolean>
  /**
   * Records a failed send: pending again at `retryAt`, or `dead` when
   * `retryAt` is null. False when the claim was lost.
   */
  failed(delivery: ClaimedDelivery, outcome: { error: string; retryAt: Date | null }): Promise<boolean>
  /**
   * Moves dead deliveries of `eventId` back to pending, due now, attempts 0;
   * only those to `options.endpoint` and of `options.projectId` when given.
   * Returns how many moved; 0 when none was dead.
   */
  retry(eventId: string, options?: { endpoint?: string; projectId?: string }): Promise<number>
  /** Deliveries, newest first, filtered. */
  list(options?: OutboxListOptions): Promise<OutboxDelivery[]>
  /** Deliveries by status, of one project or all. */
  counts(options?: { projectId?: string }): Promise<OutboxCounts>
}
