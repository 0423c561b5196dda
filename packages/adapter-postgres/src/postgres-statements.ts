import { RECORD_COLUMNS } from '@mastervideo/core/adapter'
import { validateSchemaName } from './errors.js'
import type { PgQueryConfig } from './pg-types.js'
import { PG_TYPES, postgresRows } from './postgres-rows.js'

// Database time, truncated to the millisecond a JS Date holds, so a stored
// timestamp compares equal to the Date read back and list cursors are exact.
const NOW = `(SELECT date_trunc('milliseconds', now()) AS now) AS t`
const MS = `* interval '1 millisecond'`

// A new job's times are the database's: created_at and updated_at always,
// run_at unless the caller set one. Every other column is a parameter.
const STAMPED = ['run_at', 'created_at', 'updated_at']
const INSERT_COLUMNS = RECORD_COLUMNS.filter((c) => !STAMPED.includes(c.column))
const n = INSERT_COLUMNS.length

/** Every statement the repository runs against one schema, named so `pg` prepares each once per connection. */
export function postgresStatements(schema: string) {
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
    /** The columns of {@link INSERT_COLUMNS} in order, then run_at or null (the database's now). */
    insertColumns: INSERT_COLUMNS,
    insert: named(
      'insert',
      `INSERT INTO ${table} (${INSERT_COLUMNS.map((c) => c.column).join(', ')}, ${STAMPED.join(', ')})
       SELECT ${INSERT_COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES[c.kind]}`).join(', ')},
         COALESCE($${n + 1}::timestamptz, t.now), t.now, t.now
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
     * The row a transition starts from, with the database's time in the same
     * round trip (`mv_now`, present even when the job is not: then `id` is null).
     */
    current: named('current', `SELECT t.now AS mv_now, j.* FROM ${NOW} LEFT JOIN ${table} AS j ON j.id = $1`),
    /**
     * {@link current} after a write whose reply was lost: `FOR UPDATE` waits
     * for that write if its session still holds the row, so what is read is
     * its outcome, not the row from before it.
     */
    currentLocked: named(
      'current_locked',
      `SELECT t.now AS mv_now, j.* FROM ${NOW}
       LEFT JOIN LATERAL (SELECT * FROM ${table} WHERE id = $1 FOR UPDATE) AS j ON true`,
    ),
    /** The job a claim with this lease token took, if it is still held under it: $1 token. */
    byLeaseToken: named(
      'by_lease_token',
      `SELECT * FROM ${table} WHERE lease_token = $1 AND status = 'processing'`,
    ),
    /**
     * The compare-and-set every transition goes through (core's, in this
     * dialect): the columns core computed, where id, status and lease token
     * are still those read.
     */
    compareAndSet: named('cas', postgresRows.compareAndSetSql(table)),
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
         status = 'processing',
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
export type PostgresStatements = ReturnType<typeof postgresStatements>
