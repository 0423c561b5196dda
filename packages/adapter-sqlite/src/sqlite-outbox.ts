import type {
  MasterVideo,
  MasterVideoStatus,
  Outbox,
  OutboxDelivery,
  WebhookEventType,
} from '@mastervideo/core'
import { webhookEventFor } from '@mastervideo/core/adapter'
import type { SqliteDatabase } from './sqlite-database.js'
import { outboxStatements, outboxTableNames } from './sqlite-outbox-sql.js'
import type { Transactions } from './sqlite-transaction.js'

interface DeliveryRow {
  event_id: string
  endpoint: string
  job_id: string
  project_id: string
  type: string
  body: string
  status: string
  attempts: number | bigint
  next_attempt_at: number | bigint
  last_error: string | null
  created_at: number | bigint
  updated_at: number | bigint
  delivered_at: number | bigint | null
  lease_token: string | null
}

const date = (ms: number | bigint) => new Date(Number(ms))

function toDelivery(row: DeliveryRow): OutboxDelivery {
  return {
    eventId: row.event_id,
    endpoint: row.endpoint,
    jobId: row.job_id,
    projectId: row.project_id,
    type: row.type as WebhookEventType,
    body: row.body,
    status: row.status as OutboxDelivery['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: date(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    deliveredAt: row.delivered_at === null ? null : date(row.delivered_at),
  }
}

const limitOf = (limit: number | undefined, fallback: number) =>
  limit === undefined || !Number.isFinite(limit) ? fallback : Math.min(100, Math.max(1, Math.trunc(limit)))

/** The outbox of a SQLite repository, and the write its transitions call inside their transaction. */
export interface SqliteOutbox {
  outbox: Outbox
  /**
   * Writes the event `record` reports (if any) and its deliveries. MUST be
   * called inside the transaction that wrote `record`, so both commit or neither.
   */
  record(before: MasterVideoStatus | null, record: MasterVideo): void
}

/**
 * The webhook outbox in the repository's own file: `<prefix>outbox_events`,
 * `<prefix>outbox_endpoints` and `<prefix>outbox_deliveries` (schema
 * version 3). Claims run under `BEGIN IMMEDIATE`, so two processes never
 * hold one delivery at once.
 */
export function sqliteOutbox(
  db: SqliteDatabase,
  prefix: string,
  tx: Transactions,
  run: <T>(what: string, fn: () => T) => Promise<T>,
): SqliteOutbox {
  const sql = outboxStatements(outboxTableNames(prefix))
  const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>()
  // Prepared on first use: a connection opened before the migration still works.
  const statement = (key: keyof typeof sql) => {
    let found = prepared.get(key)
    if (!found) {
      found = db.prepare(sql[key])
      prepared.set(key, found)
    }
    return found
  }
  const changed = (result: { changes: number | bigint }) => Number(result.changes)

  const outbox: Outbox = {
    registerEndpoints: (names) =>
      run('register webhook endpoints', () =>
        tx.immediate(() => {
          for (const name of names) statement('register').run(name, Date.now())
        }),
      ),
    removeEndpoint: (name) =>
      run('remove a webhook endpoint', () =>
        tx.immediate(() => {
          statement('unregister').run(name)
          statement('dropPending').run(name)
        }),
      ),
    claim: ({ endpoints, leaseToken, leaseMs, limit }) =>
      run('claim webhook deliveries', () =>
        tx.immediate(() => {
          const now = Date.now()
          statement('claim').run({
            token: leaseToken,
            expiresAt: now + leaseMs,
            now,
            endpoints: JSON.stringify(endpoints),
            limit: limitOf(limit, 10),
          })
          return (statement('claimed').all(leaseToken) as DeliveryRow[]).map((row) => ({
            ...toDelivery(row),
            leaseToken,
          }))
        }),
      ),
    delivered: (d) =>
      run('record a webhook delivery', () =>
        tx.immediate(
          () =>
            changed(
              statement('delivered').run({
                now: Date.now(),
                id: d.eventId,
                endpoint: d.endpoint,
                token: d.leaseToken,
              }),
            ) === 1,
        ),
      ),
    failed: (d, { error, retryAt }) =>
      run('record a failed webhook delivery', () =>
        tx.immediate(
          () =>
            changed(
              statement('failed').run({
                retryAt: retryAt ? retryAt.getTime() : null,
                error,
                now: Date.now(),
                id: d.eventId,
                endpoint: d.endpoint,
                token: d.leaseToken,
              }),
            ) === 1,
        ),
      ),
    retry: (eventId, { endpoint, projectId } = {}) =>
      run('retry a dead webhook delivery', () =>
        tx.immediate(() =>
          changed(
            statement('retry').run({
              now: Date.now(),
              id: eventId,
              endpoint: endpoint ?? null,
              projectId: projectId ?? null,
            }),
          ),
        ),
      ),
    list: (options = {}) =>
      run('list webhook deliveries', () =>
        (
          statement('list').all({
            status: options.status ?? null,
            projectId: options.projectId ?? null,
            endpoint: options.endpoint ?? null,
            limit: limitOf(options.limit, 20),
          }) as DeliveryRow[]
        ).map(toDelivery),
      ),
    counts: (options = {}) =>
      run('count webhook deliveries', () => {
        const counts = { pending: 0, delivered: 0, dead: 0 }
        const rows = statement('counts').all({ projectId: options.projectId ?? null }) as {
          status: keyof typeof counts
          n: number | bigint
        }[]
        for (const { status, n } of rows) if (status in counts) counts[status] = Number(n)
        return counts
      }),
  }

  return {
    outbox,
    record(before, record) {
      const event = webhookEventFor(before, record)
      if (!event) return
      const now = event.createdAt.getTime()
      statement('insertEvent').run(event.id, event.jobId, event.projectId, event.type, event.body, now)
      statement('fanOut').run({ id: event.id, projectId: event.projectId, now })
    },
  }
}
