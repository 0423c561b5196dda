import { STATUSES, type TransitionEvent } from '@mastervideo/core'
import { TRANSITIONS } from '@mastervideo/core/adapter'
import { validateSchemaName } from './errors.js'
import type { PgQueryConfig } from './pg-types.js'

// Statuses come from core's transition table, so the SQL enforces exactly the
// moves `applyTransition` allows. They are checked against STATUSES before
// being written as literals: literals (not parameters) let the planner match
// the partial claim index.
function statusList(statuses: readonly string[]): string {
  for (const status of statuses) {
    if (!(STATUSES as readonly string[]).includes(status)) throw new Error(`unknown status ${status}`)
  }
  return statuses.map((s) => `'${s}'`).join(', ')
}
const from = (event: TransitionEvent) => `status IN (${statusList(TRANSITIONS[event].from)})`
const to = (event: TransitionEvent) => statusList([TRANSITIONS[event].to])

// Database time, truncated to the millisecond a JS Date holds, so a stored
// timestamp compares equal to the Date read back and list cursors are exact.
const NOW = `(SELECT date_trunc('milliseconds', now()) AS now) AS t`
const NO_LEASE = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL'
const MS = `* interval '1 millisecond'`

/** Every statement the repository runs against one schema, named so `pg` prepares each once per connection. */
export function statements(schema: string) {
  const s = validateSchemaName(schema)
  const table = `${s}.master_videos`
  const named =
    (key: string, text: string) =>
    (values: unknown[]): PgQueryConfig => ({
      name: `mv_${key}_${s}`,
      text,
      values,
    })
  return {
    table,
    /** $1 id, $2 project, $3 name, $4 shots, $5 maxAttempts, $6 runAt, $7 encoding, $8 idempotency key. */
    insert: named(
      'insert',
      `INSERT INTO ${table} (id, project_id, name, shots, status, progress, attempts, max_attempts,
         run_at, encoding, idempotency_key, created_at, updated_at)
       SELECT $1, $2, $3, $4::json, 'created', 0, 0, $5, COALESCE($6::timestamptz, t.now), $7::json, $8, t.now, t.now
       FROM ${NOW}
       ON CONFLICT DO NOTHING
       RETURNING *`,
    ),
    byIdempotencyKey: named(
      'by_key',
      `SELECT * FROM ${table} WHERE project_id = $1 AND idempotency_key = $2`,
    ),
    get: named('get', `SELECT * FROM ${table} WHERE id = $1`),
    /**
     * The claim is one statement: the subquery walks the claim index in
     * (run_at, created_at) order, skips rows other claimers hold locked, and
     * locks the first due one; the UPDATE moves it to processing. An expired
     * lease is requeued and claimed in the same write (run_at becomes now, as
     * `requeue` then `claim` would leave it). $1 worker, $2 token, $3 lease ms.
     */
    claim: named(
      'claim',
      `UPDATE ${table} AS j SET
         status = ${to('claim')},
         attempts = j.attempts + 1,
         progress = 0,
         run_at = CASE WHEN j.status = 'processing' THEN t.now ELSE j.run_at END,
         lease_owner = $1,
         lease_token = $2,
         lease_expires_at = t.now + $3::float8 ${MS},
         started_at = t.now,
         updated_at = t.now
       FROM ${NOW}
       WHERE j.id = (
         SELECT id FROM ${table}
         WHERE status IN ('created', 'processing')
           AND ((status = 'created' AND run_at <= now())
             OR (status = 'processing' AND lease_expires_at <= now()))
         ORDER BY run_at, created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       RETURNING j.*`,
    ),
    /** $1 id, $2 token, $3 lease ms, $4 progress or null. */
    heartbeat: named(
      'heartbeat',
      `UPDATE ${table} AS j SET
         lease_expires_at = t.now + $3::float8 ${MS},
         progress = coalesce($4::float8, j.progress),
         updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.status = 'processing' AND j.lease_token = $2
       RETURNING j.*`,
    ),
    /** $1 id, $2 token, $3 output, $4 thumbnail key. */
    complete: named(
      'complete',
      `UPDATE ${table} AS j SET
         status = ${to('complete')}, ${NO_LEASE},
         progress = 1, error = NULL, output = $3::json, thumbnail_key = $4,
         completed_at = t.now, updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.${from('complete')} AND j.lease_token = $2
       RETURNING j.*`,
    ),
    /** $1 id, $2 token, $3 runAt or null (now), $4 error or null (keep), $5 refund the attempt. */
    requeue: named(
      'requeue',
      `UPDATE ${table} AS j SET
         status = ${to('requeue')}, ${NO_LEASE},
         progress = 0,
         run_at = coalesce($3::timestamptz, t.now),
         error = coalesce($4::json, j.error),
         attempts = CASE WHEN $5::boolean THEN greatest(0, j.attempts - 1) ELSE j.attempts END,
         updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.${from('requeue')} AND j.lease_token = $2
       RETURNING j.*`,
    ),
    /** $1 id, $2 token, $3 error. */
    fail: named(
      'fail',
      `UPDATE ${table} AS j SET
         status = ${to('fail')}, ${NO_LEASE}, error = $3::json, updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.${from('fail')} AND j.lease_token = $2
       RETURNING j.*`,
    ),
    /** $1 id. */
    retry: named(
      'retry',
      `UPDATE ${table} AS j SET
         status = ${to('retry')}, ${NO_LEASE},
         attempts = 0, progress = 0, error = NULL, output = NULL, thumbnail_key = NULL,
         run_at = t.now, started_at = NULL, completed_at = NULL, updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.${from('retry')}
       RETURNING j.*`,
    ),
    /** $1 id, $2 the error cancel stores. */
    cancel: named(
      'cancel',
      `UPDATE ${table} AS j SET
         status = ${to('cancel')}, ${NO_LEASE}, error = $2::json, updated_at = t.now
       FROM ${NOW}
       WHERE j.id = $1 AND j.${from('cancel')}
       RETURNING j.*`,
    ),
    delete: named('delete', `DELETE FROM ${table} WHERE id = $1 RETURNING *`),
    /**
     * One page, newest first. The optional filters are fixed SQL fragments
     * chosen by which arguments are present; values are always parameters.
     */
    list(
      projectId: string,
      status: string | undefined,
      after: { createdAt: Date; id: string } | null,
      limit: number,
    ): PgQueryConfig {
      const values: unknown[] = [projectId]
      const where = ['project_id = $1']
      if (status !== undefined) {
        values.push(status)
        where.push(`status = $${values.length}`)
      }
      if (after) {
        values.push(after.createdAt, after.id)
        where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length})`)
      }
      values.push(limit)
      return {
        text: `SELECT * FROM ${table} WHERE ${where.join(' AND ')}
               ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
        values,
      }
    },
  }
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>
