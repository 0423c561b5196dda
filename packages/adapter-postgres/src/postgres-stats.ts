import {
  type ErrorCode,
  type MasterVideoStatus,
  type RepositoryStats,
  STATUSES,
  type StatsOptions,
} from '@mastervideo/core'
import type { PgQueryConfig } from './pg-types.js'
import { encodeText } from './text-encoding.js'

const HOUR_SEC = 3600

/** Milliseconds between two timestamptz expressions, as float8. */
const ms = (from: string, to: string) => `(EXTRACT(EPOCH FROM (${to} - ${from})) * 1000)::float8`

/**
 * The one statement of `stats()`: every figure in one row, computed by
 * PostgreSQL on one snapshot (percentiles by `percentile_cont`), never a load
 * of the rows. The scope's WHERE clause is built from the options given, so
 * the planner can use the `(project_id, created_at)` list index.
 */
export function statsQuery(table: string, options: StatsOptions): PgQueryConfig {
  const values: unknown[] = []
  const clauses = ['true']
  if (options.projectId !== undefined) {
    values.push(encodeText(options.projectId))
    clauses.push(`project_id = $${values.length}`)
  }
  if (options.since !== undefined) {
    values.push(options.since)
    clauses.push(`created_at >= $${values.length}::timestamptz`)
  }
  const where = clauses.join(' AND ')
  const pct = (p: number, column: string) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${column})`
  return {
    text: `WITH scoped AS (
        SELECT status, error, output, renditions, run_at, created_at, started_at, completed_at
        FROM ${table} WHERE ${where}
      ),
      done AS (
        SELECT GREATEST(0, ${ms('GREATEST(run_at, created_at)', 'started_at')}) AS wait,
          ${ms('started_at', 'completed_at')} AS proc,
          (output->>'durationSec')::float8 AS duration_sec,
          json_array_length(renditions) AS renditions
        FROM scoped
        WHERE status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL
      )
      SELECT
        (SELECT COALESCE(json_object_agg(status, n), '{}') FROM
          (SELECT status, COUNT(*) AS n FROM scoped GROUP BY status) AS s) AS by_status,
        (SELECT COALESCE(json_object_agg(code, n), '{}') FROM
          (SELECT error->>'code' AS code, COUNT(*) AS n FROM scoped
           WHERE status = 'failed' AND error IS NOT NULL GROUP BY 1) AS f) AS failures,
        COUNT(*)::int AS completed,
        ${pct(0.5, 'wait')} AS wait_p50, ${pct(0.95, 'wait')} AS wait_p95,
        ${pct(0.5, 'proc')} AS proc_p50, ${pct(0.95, 'proc')} AS proc_p95,
        COALESCE(SUM(duration_sec), 0)::float8 AS master_sec,
        COALESCE(SUM(duration_sec * renditions), 0)::float8 AS rendition_sec
      FROM done`,
    values,
  }
}

interface StatsRow {
  by_status: Partial<Record<MasterVideoStatus, number | string>>
  failures: Partial<Record<ErrorCode, number | string>>
  completed: number
  wait_p50: number | null
  wait_p95: number | null
  proc_p50: number | null
  proc_p95: number | null
  master_sec: number
  rendition_sec: number
}

const rounded = (value: number | null) => (value === null ? null : Math.round(value))

/**
 * `stats()` of the PostgreSQL repository. `query` runs the statement with the
 * repository's retries and time limits.
 */
export async function postgresStats(
  query: (config: PgQueryConfig) => Promise<unknown[]>,
  table: string,
  options: StatsOptions = {},
): Promise<RepositoryStats> {
  const [found] = (await query(statsQuery(table, options))) as StatsRow[]
  const row = found as StatsRow
  const byStatus = Object.fromEntries(
    STATUSES.map((status) => [status, Number(row.by_status[status] ?? 0)]),
  ) as Record<MasterVideoStatus, number>
  const failuresByCode: RepositoryStats['failuresByCode'] = {}
  for (const [code, n] of Object.entries(row.failures)) failuresByCode[code as ErrorCode] = Number(n)
  return {
    projectId: options.projectId ?? null,
    since: options.since ?? null,
    total: Object.values(byStatus).reduce((sum, n) => sum + n, 0),
    byStatus,
    queueWait: { count: row.completed, p50Ms: rounded(row.wait_p50), p95Ms: rounded(row.wait_p95) },
    processing: { count: row.completed, p50Ms: rounded(row.proc_p50), p95Ms: rounded(row.proc_p95) },
    failuresByCode,
    mediaHours: { master: row.master_sec / HOUR_SEC, renditions: row.rendition_sec / HOUR_SEC },
  }
}
