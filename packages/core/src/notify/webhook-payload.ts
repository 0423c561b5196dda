import type { MasterVideo, MasterVideoStatus } from '../record/master-video.js'

/** The events a webhook reports. */
export type WebhookEventType = 'master_video.completed' | 'master_video.failed' | 'master_video.canceled'

/** The JSON body of one delivery. */
export interface WebhookPayload {
  type: WebhookEventType
  /** ISO time of the event: when the transition that caused it was written. */
  timestamp: string
  /** The record, without its lease and trace fields. */
  data: Omit<MasterVideo, 'leaseToken' | 'leaseOwner' | 'traceContext'>
}

const REPORTED: Partial<Record<MasterVideoStatus, WebhookEventType>> = {
  completed: 'master_video.completed',
  failed: 'master_video.failed',
  canceled: 'master_video.canceled',
}

/**
 * The webhook event a write reports, or null: a job that became `completed`,
 * `failed` or `canceled` (from another status) reports that outcome; every
 * other write (claims, heartbeats, retries, requeues) reports nothing.
 *
 * @example
 * ```ts
 * import { reportedWebhookEvent } from '@mastervideo/core/adapter'
 *
 * reportedWebhookEvent('processing', 'completed') // 'master_video.completed'
 * reportedWebhookEvent('processing', 'created') // null
 * ```
 */
export function reportedWebhookEvent(
  before: MasterVideoStatus | null,
  after: MasterVideoStatus,
): WebhookEventType | null {
  if (before === after) return null
  return REPORTED[after] ?? null
}

/**
 * The Standard Webhooks `webhook-id` of an event: stable per job, outcome and
 * `updatedAt`, so a receiver drops a repeated delivery, and a job that fails,
 * is retried by hand and fails again reports twice.
 *
 * @example
 * ```ts
 * import { webhookEventId } from '@mastervideo/core/adapter'
 *
 * webhookEventId('master_video.completed', { id: 'master_1_abcdefgh', updatedAt: new Date(5) }) // 'msg_master_1_abcdefgh_completed_5'
 * ```
 */
export function webhookEventId(
  type: WebhookEventType,
  record: Pick<MasterVideo, 'id' | 'updatedAt'>,
): string {
  return `msg_${record.id}_${type.split('.')[1]}_${record.updatedAt.getTime()}`
}

/**
 * The payload of `type` for `record`, stamped with the record's `updatedAt`
 * (the time of the transition), without lease and trace fields.
 *
 * @example
 * ```ts
 * import { webhookPayload } from '@mastervideo/core/adapter'
 * import type { MasterVideo } from '@mastervideo/core'
 *
 * declare const record: MasterVideo
 * const body = JSON.stringify(webhookPayload('master_video.completed', record))
 * ```
 */
export function webhookPayload(type: WebhookEventType, record: MasterVideo): WebhookPayload {
  const { leaseToken: _token, leaseOwner: _owner, traceContext: _trace, ...data } = record
  return { type, timestamp: record.updatedAt.toISOString(), data: structuredClone(data) }
}

/** One outbox event, as a repository writes it beside the transition. */
export interface WebhookEvent {
  id: string
  type: WebhookEventType
  jobId: string
  projectId: string
  /** JSON of the {@link WebhookPayload}. */
  body: string
  createdAt: Date
}

/**
 * The event a write from `before` to `record` must put in the outbox, or
 * null when it reports nothing. A repository calls it with the record it is
 * about to store (or just stored) and writes the result in the same transaction.
 *
 * @example
 * ```ts
 * import { webhookEventFor } from '@mastervideo/core/adapter'
 * import type { MasterVideo } from '@mastervideo/core'
 *
 * declare const stored: MasterVideo
 * const event = webhookEventFor('processing', stored) // INSERT it in the same transaction when not null
 * ```
 */
export function webhookEventFor(before: MasterVideoStatus | null, record: MasterVideo): WebhookEvent | null {
  const type = reportedWebhookEvent(before, record.status)
  if (!type) return null
  return {
    id: webhookEventId(type, record),
    type,
    jobId: record.id,
    projectId: record.projectId,
    body: JSON.stringify(webhookPayload(type, record)),
    createdAt: record.updatedAt,
  }
}
