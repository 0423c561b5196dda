import { type ColumnKind, type RecordRow, type RowCodec, rowCodec } from '@mastervideo/core/adapter'
import { decodeText, encodeText } from './text-encoding.js'

/** A `master_videos` row as `pg` returns it. */
export type MasterVideoRow = RecordRow

/** The PostgreSQL type of each column kind, for casts where a parameter has no column to infer it from. */
export const PG_TYPES: Record<ColumnKind, string> = {
  text: 'text',
  integer: 'integer',
  real: 'float8',
  timestamp: 'timestamptz',
  json: 'json',
}

/**
 * A stored `timestamptz` as a new `Date`. A host's pool may have its own type
 * parsers (timestamps left as strings); both shapes read the same.
 */
export function toDate(stored: unknown): Date {
  return stored instanceof Date ? new Date(stored.getTime()) : new Date(String(stored))
}

/**
 * The record↔row mapping in PostgreSQL's dialect: `$n` parameters, text
 * through {@link encodeText} (so NUL and lone surrogates round-trip),
 * `timestamptz` (`pg` sends a `Date` with its milliseconds) and `json`, which,
 * unlike `jsonb`, keeps `\u0000` escapes verbatim.
 */
export const postgresRows: RowCodec = rowCodec({
  placeholder: (position) => `$${position}`,
  nullSafeEquals: 'IS NOT DISTINCT FROM',
  encodeText,
  decodeText: (stored) => decodeText(String(stored)),
  encodeTimestamp: (date) => date,
  decodeTimestamp: toDate,
  encodeJson: (value) => JSON.stringify(value),
  // `pg` parses json itself unless the host's parsers say otherwise; a copy
  // keeps each record's objects its own either way.
  decodeJson: (stored) => (typeof stored === 'string' ? JSON.parse(stored) : structuredClone(stored)),
})
