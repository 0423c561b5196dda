import { RECORD_COLUMNS } from '@mastervideo/core/adapter'
import type { TableNames } from './sqlite-migrations.js'
import { sqliteRows } from './sqlite-rows.js'

const COLUMNS = RECORD_COLUMNS.map((c) => c.column)

/**
 * Every statement the repository runs, built once from validated table names
 * (values are always bound parameters). Kept apart so the query-plan test
 * checks exactly these strings.
 */
export function sqliteStatements(names: TableNames) {
  const t = names.jobs
  return {
    insert: `INSERT INTO ${t} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
      ON CONFLICT (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING *`,
    byKey: `SELECT * FROM ${t} WHERE project_id = ? AND idempotency_key = ?`,
    byId: `SELECT * FROM ${t} WHERE id = ?`,
    /** Newest first, keyset-paged on (created_at, id); four shapes, each served by an index. */
    list: (withStatus: boolean, withCursor: boolean) =>
      `SELECT * FROM ${t} WHERE project_id = ?${withStatus ? ' AND status = ?' : ''}${
        withCursor ? ' AND (created_at, id) < (?, ?)' : ''
      } ORDER BY created_at DESC, id DESC LIMIT ?`,
    // One statement takes the oldest due job: `created` with run_at <= now, or
    // `processing` whose lease expired (TRANSITIONS: requeue then claim in one
    // write, so its run_at becomes now). The status literals must match the
    // claim index's WHERE for SQLite to use that index.
    claim: `UPDATE ${t} SET
        status = 'processing',
        run_at = CASE WHEN status = 'processing' THEN :now ELSE run_at END,
        attempts = attempts + 1,
        progress = 0,
        lease_owner = :workerId,
        lease_token = :leaseToken,
        lease_expires_at = :expiresAt,
        started_at = :now,
        updated_at = :now
      WHERE id = (
        SELECT id FROM ${t}
        WHERE status IN ('created', 'processing') AND run_at <= :now
          AND (status = 'created' OR lease_expires_at <= :now)
        ORDER BY run_at, created_at
        LIMIT 1
      )
      RETURNING *`,
    heartbeat: `UPDATE ${t} SET lease_expires_at = ?, progress = COALESCE(?, progress), updated_at = ?
      WHERE id = ? AND status = 'processing' AND lease_token = ?
      RETURNING *`,
    // The one compare-and-set every transition goes through (core's, in SQLite's dialect).
    write: sqliteRows.compareAndSetSql(t),
    remove: `DELETE FROM ${t} WHERE id = ? RETURNING *`,
  }
}
