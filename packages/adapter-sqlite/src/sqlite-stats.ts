import {
  type ErrorCode,
  type MasterVideoStatus,
  type RepositoryStats,
  STATUSES,
  type StatsOptions,
} from '@mastervideo/core'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import type { TableNames } from './sqlite-migrations.js'

const HOUR_SEC = 3600

/** The scope of one stats call, as SQL: the WHERE clause and its named parameters. */
export function statsScope(options: StatsOptions): {
  key: string
  where: string
  params: Record<string, unknown>
} {
  const clauses = ['1 = 1']
  const params: Record<string, unknown> = {}
  if (options.projectId !== undefined) {
    clauses.push('project_id = :projectId')
    params.projectId = options.projectId
  }
  if (options.since !== undefined) {
    clauses.push('created_at >= :since')
    params.since = options.since.getTime()
  }
  return { key: Object.keys(params).join(','), where: clauses.join(' AND '), params }
}

/** The statements of one scope; the WHERE clause differs so each can use the (project_id, ...) indexes. */
export function statsStatements(t: TableNames, where: string) {
  return {
    // Counts by status and the media produced, in one pass over the scope.
    byStatus: `SELECT status, COUNT(*) AS n,
        SUM(CASE WHEN status = 'completed' THEN json_extract(output, '$.durationSec') END) AS master_sec,
        SUM(CASE WHEN status = 'completed'
          THEN json_extract(output, '$.durationSec') * json_array_length(renditions) END) AS rendition_sec
      FROM ${t.jobs} WHERE ${where} GROUP BY status`,
    failures: `SELECT json_extract(error, '$.code') AS code, COUNT(*) AS n
      FROM ${t.jobs} WHERE ${where} AND status = 'failed' AND error IS NOT NULL GROUP BY code`,
    // SQLite has no percentile function: rank each duration with ROW_NUMBER,
    // take the two ranks around (n - 1) * p and interpolate between them, as
    // PostgreSQL's percentile_cont does. Times are integer milliseconds.
    percentiles: `WITH done AS (
        SELECT MAX(0, started_at - MAX(run_at, created_at)) AS wait, completed_at - started_at AS proc
        FROM ${t.jobs}
        WHERE ${where} AND status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL
      ),
      total AS (SELECT COUNT(*) AS n FROM done),
      ranked AS (
        SELECT 'wait' AS metric, wait AS v, ROW_NUMBER() OVER (ORDER BY wait) - 1 AS i FROM done
        UNION ALL
        SELECT 'proc', proc, ROW_NUMBER() OVER (ORDER BY proc) - 1 FROM done
      ),
      wanted(p) AS (VALUES (0.5), (0.95)),
      places AS (
        SELECT p, (n - 1) * p AS at, CAST((n - 1) * p AS INTEGER) AS low FROM wanted, total WHERE n > 0
      ),
      picked AS (
        SELECT metric, places.p AS p, at - low AS frac,
          MAX(CASE WHEN i = low THEN v END) AS below,
          MAX(CASE WHEN i = low + 1 THEN v END) AS above
        FROM ranked JOIN places ON i IN (low, low + 1)
        GROUP BY metric, places.p
      )
      SELECT metric, p, below + (COALESCE(above, below) - below) * frac AS value,
        (SELECT n FROM total) AS n
      FROM picked`,
  }
}

interface StatusRow {
  status: MasterVideoStatus
  n: number
  master_sec: number | null
  rendition_sec: number | null
}
interface PercentileRow {
  metric: 'wait' | 'proc'
  p: number
  value: number
  n: number
}

/**
 * `stats()` of the SQLite repository: three aggregate queries on one read
 * snapshot, never a load of the rows themselves. Statements are prepared
 * once per scope shape (with or without project and since).
 */
export function sqliteStats(db: SqliteDatabase, names: TableNames) {
  const prepared = new Map<string, Record<keyof ReturnType<typeof statsStatements>, SqliteStatement>>()
  const begin = db.prepare('BEGIN')
  const commit = db.prepare('COMMIT')

  function prepare(key: string, where: string) {
    let found = prepared.get(key)
    if (!found) {
      const sql = statsStatements(names, where)
      found = {
        byStatus: db.prepare(sql.byStatus),
        failures: db.prepare(sql.failures),
        percentiles: db.prepare(sql.percentiles),
      }
      prepared.set(key, found)
    }
    return found
  }

  /** The three reads in one deferred transaction, so they see one state (unless the host has one open). */
  function snapshot<T>(fn: () => T): T {
    if (db.inTransaction) return fn()
    begin.run()
    try {
      return fn()
    } finally {
      commit.run()
    }
  }

  return (options: StatsOptions = {}): RepositoryStats => {
    const scope = statsScope(options)
    const sql = prepare(scope.key, scope.where)
    const [statusRows, failureRows, percentileRows] = snapshot(() => [
      sql.byStatus.all(scope.params) as StatusRow[],
      sql.failures.all(scope.params) as Array<{ code: ErrorCode; n: number }>,
      sql.percentiles.all(scope.params) as PercentileRow[],
    ])
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<MasterVideoStatus, number>
    let masterSec = 0
    let renditionSec = 0
    for (const row of statusRows) {
      byStatus[row.status] = row.n
      masterSec += row.master_sec ?? 0
      renditionSec += row.rendition_sec ?? 0
    }
    const failuresByCode: RepositoryStats['failuresByCode'] = {}
    for (const row of failureRows) failuresByCode[row.code] = row.n
    const percentile = (metric: PercentileRow['metric'], p: number) => {
      const row = percentileRows.find((r) => r.metric === metric && r.p === p)
      return row ? Math.round(row.value) : null
    }
    const count = percentileRows[0]?.n ?? 0
    return {
      projectId: options.projectId ?? null,
      since: options.since ?? null,
      total: statusRows.reduce((sum, row) => sum + row.n, 0),
      byStatus,
      queueWait: { count, p50Ms: percentile('wait', 0.5), p95Ms: percentile('wait', 0.95) },
      processing: { count, p50Ms: percentile('proc', 0.5), p95Ms: percentile('proc', 0.95) },
      failuresByCode,
      mediaHours: { master: masterSec / HOUR_SEC, renditions: renditionSec / HOUR_SEC },
    }
  }
}
