import type { Outbox, OutboxCounts, OutboxDelivery, WebhookEventType } from '@mastervideo/core'
import { type TransitionWrite, webhookEventFor } from '@mastervideo/core/adapter'
import { isConnectionError, storageError } from './errors.js'
import type { PgQueryConfig, PgQueryResult } from './pg-types.js'
import { outboxStatements } from './postgres-outbox-sql.js'
import { toDate } from './postgres-rows.js'
import { decodeText, encodeText } from './text-encoding.js'

type Row = Record<string, unknown>

function toDelivery(row: Row): OutboxDelivery {
  const text = (value: unknown) => decodeText(String(value))
  return {
    eventId: text(row.event_id),
    endpoint: text(row.endpoint),
    jobId: text(row.job_id),
    projectId: text(row.project_id),
    type: row.type as WebhookEventType,
    body: text(row.body),
    status: row.status as OutboxDelivery['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    lastError: row.last_error === null ? null : text(row.last_error),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    deliveredAt: row.delivered_at === null ? null : toDate(row.delivered_at),
  }
}

const limitOf = (limit: number | undefined, fallback: number) =>
  limit === undefined || !Number.isFinite(limit) ? fallback : Math.min(100, Math.max(1, Math.trunc(limit)))

/** The outbox of a PostgreSQL repository, and the rewrite its transitions go through. */
export interface PostgresOutbox {
  outbox: Outbox
  /**
   * The compare-and-set `query` of `write`, extended (when the write reports
   * an event) to insert the event and its deliveries in the same statement.
   */
  compareAndSet(write: TransitionWrite, query: PgQueryConfig): PgQueryConfig
}

/**
 * The webhook outbox in the repository's schema: `outbox_events`,
 * `outbox_endpoints` and `outbox_deliveries` (schema version 3). Claims lock
 * with `FOR UPDATE SKIP LOCKED`, so any number of machines deliver one outbox
 * and never hold one delivery at once; times come from the database clock.
 *
 * `send` runs one statement on the repository's pool (bounded by its query
 * timeout); `ready` resolves once the schema is migrated.
 */
export function postgresOutbox(
  schema: string,
  ready: () => Promise<void>,
  send: (config: PgQueryConfig) => Promise<PgQueryResult>,
): PostgresOutbox {
  const sql = outboxStatements(schema)
  // A broken connection is retried a few times; an outcome sent twice is
  // harmless (a claim whose reply was lost only waits for its lease to lapse).
  async function query(action: string, config: PgQueryConfig): Promise<PgQueryResult<Row>> {
    await ready()
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(config)
      } catch (error) {
        if (attempt >= 2 || !isConnectionError(error)) throw storageError(error, action)
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt))
      }
    }
  }
  const changed = async (action: string, config: PgQueryConfig) => (await query(action, config)).rowCount ?? 0

  const outbox: Outbox = {
    async registerEndpoints(names) {
      for (const name of names)
        await query('registering a webhook endpoint', sql.register([encodeText(name)]))
    },
    async removeEndpoint(name) {
      await query('removing a webhook endpoint', sql.unregister([encodeText(name)]))
    },
    async claim({ endpoints, leaseToken, leaseMs, limit }) {
      const { rows } = await query(
        'claiming webhook deliveries',
        sql.claim([endpoints.map(encodeText), encodeText(leaseToken), leaseMs, limitOf(limit, 10)]),
      )
      return rows.map((row) => ({ ...toDelivery(row), leaseToken }))
    },
    async delivered(d) {
      const values = [encodeText(d.eventId), encodeText(d.endpoint), encodeText(d.leaseToken)]
      return (await changed('recording a webhook delivery', sql.delivered(values))) === 1
    },
    async failed(d, { error, retryAt }) {
      const values = [
        encodeText(d.eventId),
        encodeText(d.endpoint),
        encodeText(d.leaseToken),
        retryAt,
        encodeText(error),
      ]
      return (await changed('recording a failed webhook delivery', sql.failed(values))) === 1
    },
    async retry(eventId, { endpoint, projectId } = {}) {
      return changed(
        'retrying a dead webhook delivery',
        sql.retry([
          encodeText(eventId),
          endpoint === undefined ? null : encodeText(endpoint),
          projectId === undefined ? null : encodeText(projectId),
        ]),
      )
    },
    async list(options = {}) {
      const optional = (value: string | undefined) => (value === undefined ? null : encodeText(value))
      const { rows } = await query(
        'listing webhook deliveries',
        sql.list([
          options.status ?? null,
          optional(options.projectId),
          optional(options.endpoint),
          limitOf(options.limit, 20),
        ]),
      )
      return rows.map(toDelivery)
    },
    async counts(options = {}) {
      const projectId = options.projectId === undefined ? null : encodeText(options.projectId)
      const { rows } = await query('counting webhook deliveries', sql.counts([projectId]))
      const counts: OutboxCounts = { pending: 0, delivered: 0, dead: 0 }
      for (const row of rows) {
        const status = row.status as keyof OutboxCounts
        if (status in counts) counts[status] = Number(row.n)
      }
      return counts
    },
  }

  return {
    outbox,
    compareAndSet(write, cas) {
      const event = webhookEventFor(write.expected.status, write.record)
      if (!event) return cas
      const values = cas.values ?? []
      return {
        name: cas.name ? `${cas.name}_outbox` : undefined,
        text: sql.withEvent(cas.text, values.length),
        values: [
          ...values,
          encodeText(event.id),
          encodeText(event.jobId),
          encodeText(event.projectId),
          event.type,
          encodeText(event.body),
        ],
      }
    },
  }
}
