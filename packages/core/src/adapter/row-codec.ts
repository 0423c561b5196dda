import type { MasterVideo } from '../record/master-video.js'
import { type ColumnName, RECORD_COLUMNS, type RecordColumn, TRANSITION_COLUMNS } from './record-columns.js'
import type { TransitionWrite } from './transition-write.js'

/**
 * What one SQL dialect says about storing a record: how it writes a
 * placeholder and a NULL-safe equality, and how timestamps, JSON and (when it
 * cannot store every string as is) text go in and come out. Numbers go in as
 * JavaScript numbers and come out through `Number()`, so drivers that return
 * `bigint` or numeric strings need nothing here. `NULL` is handled for every
 * kind before the dialect is asked.
 *
 * @example
 * ```ts
 * import type { RowDialect } from '@mastervideo/core/adapter'
 *
 * // Timestamps as integer milliseconds and JSON as TEXT, as SQLite stores them.
 * const sqlite: RowDialect = {
 *   placeholder: () => '?',
 *   nullSafeEquals: 'IS',
 *   encodeTimestamp: (date) => date.getTime(),
 *   decodeTimestamp: (stored) => new Date(Number(stored)),
 *   encodeJson: (value) => JSON.stringify(value),
 *   decodeJson: (stored) => JSON.parse(String(stored)),
 * }
 * ```
 */
export interface RowDialect {
  /** The bound parameter at `position` (1-based) that holds `column`: `?`, `$3`, `$3::json`. */
  placeholder(position: number, column: RecordColumn): string
  /** The operator for which `NULL` equals `NULL`: `IS` (SQLite), `IS NOT DISTINCT FROM` (standard SQL). */
  nullSafeEquals: string
  /** A string as the column stores it. Default: unchanged. */
  encodeText?(value: string): unknown
  /** A stored string back. MUST invert {@link RowDialect.encodeText}. Default: unchanged. */
  decodeText?(stored: unknown): string
  encodeTimestamp(value: Date): unknown
  /** MUST return a new `Date` on every call. */
  decodeTimestamp(stored: unknown): Date
  encodeJson(value: unknown): unknown
  /** MUST return new objects on every call, so callers may mutate the records they get. */
  decodeJson(stored: unknown): unknown
}

/** A row as a driver returns it: column name to stored value (extra columns are ignored). */
export type RecordRow = { [C in ColumnName]: unknown }

/**
 * The record↔row mapping of one dialect. See {@link rowCodec}.
 */
export interface RowCodec {
  /** A fresh record from a row: new objects on every call, never aliasing stored state. */
  toRecord(row: RecordRow): MasterVideo
  /** The stored values of `columns` (default every column of {@link RECORD_COLUMNS}), in that order. */
  values(record: MasterVideo, columns?: readonly RecordColumn[]): unknown[]
  /**
   * The compare-and-set every transition goes through, against `table`: it
   * writes {@link TRANSITION_COLUMNS} only where id, status and lease token
   * are still those read, and returns the row it wrote (`RETURNING *`).
   */
  compareAndSetSql(table: string): string
  /** The parameters of {@link RowCodec.compareAndSetSql} for one write, in order. */
  compareAndSetValues(write: TransitionWrite): unknown[]
}

const same = (value: unknown) => value

function columnOf(name: ColumnName): RecordColumn {
  return RECORD_COLUMNS.find((c) => c.column === name) as RecordColumn
}

/**
 * Builds the record↔row mapping for a dialect: one list of columns
 * ({@link RECORD_COLUMNS}) and one compare-and-set for every SQL repository,
 * so only placeholders, types and value encodings differ between them.
 *
 * @example
 * ```ts
 * import { applyTransition, initialRecord, rowCodec, transitionWrite, type RowDialect } from '@mastervideo/core/adapter'
 *
 * declare const dialect: RowDialect
 * const codec = rowCodec(dialect)
 * const now = new Date()
 * const record = initialRecord(
 *   { id: 'master_1_abcdefgh', projectId: 'p1', name: '003', shots: [{ assetId: 'a.mp4' }], maxAttempts: 3, encoding: {}, idempotencyKey: null },
 *   now,
 * )
 * const params = codec.values(record) // INSERT INTO jobs (...RECORD_COLUMNS) VALUES (...)
 * const write = transitionWrite({ id: record.id, event: 'cancel', data: () => ({}), lease: null }, record, now)
 * const sql = codec.compareAndSetSql('jobs')
 * const casParams = codec.compareAndSetValues(write)
 * ```
 */
export function rowCodec(dialect: RowDialect): RowCodec {
  const encodeText = dialect.encodeText ?? same
  const decodeText = dialect.decodeText ?? ((stored: unknown) => stored as string)

  function encode(column: RecordColumn, value: unknown): unknown {
    if (value === null || value === undefined) return null
    switch (column.kind) {
      case 'text':
        return encodeText(value as string)
      case 'timestamp':
        return dialect.encodeTimestamp(value as Date)
      case 'json':
        return dialect.encodeJson(value)
      default:
        return value
    }
  }

  function decode(column: RecordColumn, stored: unknown): unknown {
    if (stored === null || stored === undefined) return null
    switch (column.kind) {
      case 'text':
        return decodeText(stored)
      case 'timestamp':
        return dialect.decodeTimestamp(stored)
      case 'json':
        return dialect.decodeJson(stored)
      default:
        return Number(stored)
    }
  }

  const values = (record: MasterVideo, columns: readonly RecordColumn[] = RECORD_COLUMNS) =>
    columns.map((column) => encode(column, record[column.field]))
  const id = columnOf('id')
  const status = columnOf('status')
  const leaseToken = columnOf('lease_token')

  return {
    toRecord(row) {
      const record: Record<string, unknown> = {}
      for (const column of RECORD_COLUMNS) record[column.field] = decode(column, row[column.column])
      return record as unknown as MasterVideo
    },

    values,

    compareAndSetSql(table) {
      const n = TRANSITION_COLUMNS.length
      const set = TRANSITION_COLUMNS.map((c, i) => `${c.column} = ${dialect.placeholder(i + 1, c)}`)
      return `UPDATE ${table} SET ${set.join(', ')}
      WHERE id = ${dialect.placeholder(n + 1, id)} AND status = ${dialect.placeholder(n + 2, status)}
        AND lease_token ${dialect.nullSafeEquals} ${dialect.placeholder(n + 3, leaseToken)}
      RETURNING *`
    },

    compareAndSetValues({ record, expected }) {
      return [
        ...values(record, TRANSITION_COLUMNS),
        encode(id, expected.id),
        encode(status, expected.status),
        encode(leaseToken, expected.leaseToken),
      ]
    },
  }
}
