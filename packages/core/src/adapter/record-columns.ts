import type { MasterVideo } from '../record/master-video.js'

/**
 * How a column stores its field. A dialect decides the SQL type of each kind
 * (SQLite keeps timestamps as integer milliseconds and JSON as TEXT;
 * PostgreSQL uses `timestamptz` and `json`).
 */
export type ColumnKind = 'text' | 'integer' | 'real' | 'timestamp' | 'json'

/**
 * One column of the jobs table: its snake_case name, the {@link MasterVideo}
 * field it stores, its kind, and whether it may be SQL `NULL`.
 *
 * @example
 * ```ts
 * import { RECORD_COLUMNS, type RecordColumn } from '@mastervideo/core/adapter'
 *
 * const runAt: RecordColumn | undefined = RECORD_COLUMNS.find((c) => c.field === 'runAt')
 * // { column: 'run_at', field: 'runAt', kind: 'timestamp', nullable: false }
 * ```
 */
export interface RecordColumn {
  column: string
  field: keyof MasterVideo
  kind: ColumnKind
  nullable: boolean
}

/**
 * Every column of a SQL jobs table, in table order: one per field of
 * {@link MasterVideo}. A SQL repository creates these columns, inserts a new
 * record with all of them and reads a row back through {@link rowCodec}.
 *
 * @example
 * ```ts
 * import { RECORD_COLUMNS } from '@mastervideo/core/adapter'
 *
 * const insert = `INSERT INTO jobs (${RECORD_COLUMNS.map((c) => c.column).join(', ')})
 *   VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')})`
 * ```
 */
export const RECORD_COLUMNS = [
  { column: 'id', field: 'id', kind: 'text', nullable: false },
  { column: 'project_id', field: 'projectId', kind: 'text', nullable: false },
  { column: 'name', field: 'name', kind: 'text', nullable: false },
  { column: 'shots', field: 'shots', kind: 'json', nullable: false },
  { column: 'status', field: 'status', kind: 'text', nullable: false },
  { column: 'progress', field: 'progress', kind: 'real', nullable: false },
  { column: 'attempts', field: 'attempts', kind: 'integer', nullable: false },
  { column: 'max_attempts', field: 'maxAttempts', kind: 'integer', nullable: false },
  { column: 'run_at', field: 'runAt', kind: 'timestamp', nullable: false },
  { column: 'lease_owner', field: 'leaseOwner', kind: 'text', nullable: true },
  { column: 'lease_token', field: 'leaseToken', kind: 'text', nullable: true },
  { column: 'lease_expires_at', field: 'leaseExpiresAt', kind: 'timestamp', nullable: true },
  { column: 'error', field: 'error', kind: 'json', nullable: true },
  { column: 'output', field: 'output', kind: 'json', nullable: true },
  { column: 'thumbnail_key', field: 'thumbnailKey', kind: 'text', nullable: true },
  { column: 'renditions', field: 'renditions', kind: 'json', nullable: false },
  { column: 'skipped_renditions', field: 'skippedRenditions', kind: 'json', nullable: false },
  { column: 'hls', field: 'hls', kind: 'json', nullable: true },
  { column: 'trace_context', field: 'traceContext', kind: 'json', nullable: true },
  { column: 'encoding', field: 'encoding', kind: 'json', nullable: false },
  { column: 'idempotency_key', field: 'idempotencyKey', kind: 'text', nullable: true },
  { column: 'created_at', field: 'createdAt', kind: 'timestamp', nullable: false },
  { column: 'updated_at', field: 'updatedAt', kind: 'timestamp', nullable: false },
  { column: 'started_at', field: 'startedAt', kind: 'timestamp', nullable: true },
  { column: 'completed_at', field: 'completedAt', kind: 'timestamp', nullable: true },
] as const satisfies readonly RecordColumn[]

/** The snake_case name of a column of {@link RECORD_COLUMNS}. */
export type ColumnName = (typeof RECORD_COLUMNS)[number]['column']

// A field added to MasterVideo without a column fails to compile here.
type Unmapped = Exclude<keyof MasterVideo, (typeof RECORD_COLUMNS)[number]['field']>
const everyFieldMapped: [Unmapped] extends [never] ? true : Unmapped = true
void everyFieldMapped

/**
 * The columns a transition may change, in the order a compare-and-set writes
 * them. Identity and input (`id`, `project_id`, `name`, `shots`,
 * `max_attempts`, `encoding`, `idempotency_key`, `created_at`) never change
 * after the insert.
 *
 * @example
 * ```ts
 * import { TRANSITION_COLUMNS } from '@mastervideo/core/adapter'
 *
 * const set = TRANSITION_COLUMNS.map((c) => `${c.column} = ?`).join(', ')
 * ```
 */
export const TRANSITION_COLUMNS: readonly RecordColumn[] = RECORD_COLUMNS.filter((c) =>
  (
    [
      'status',
      'progress',
      'attempts',
      'run_at',
      'lease_owner',
      'lease_token',
      'lease_expires_at',
      'error',
      'output',
      'thumbnail_key',
      'renditions',
      'skipped_renditions',
      'hls',
      // A manual retry may replace the encoding options.
      'encoding',
      'updated_at',
      'started_at',
      'completed_at',
    ] as readonly string[]
  ).includes(c.column),
)
