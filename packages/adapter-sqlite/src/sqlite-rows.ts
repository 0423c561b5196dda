import { type RecordRow, type RowCodec, rowCodec } from '@mastervideo/core/adapter'

/** A row of the jobs table as better-sqlite3 returns it (integers may be bigint on safe-integer connections). */
export type JobRow = RecordRow

/**
 * The record↔row mapping in SQLite's dialect: positional `?` parameters,
 * dates as integer milliseconds since the epoch, JSON as TEXT (parsed only in
 * JavaScript, so every read builds fresh objects). Strings are stored as is:
 * SQLite's TEXT keeps NUL; unpaired surrogates are refused before a write.
 */
export const sqliteRows: RowCodec = rowCodec({
  placeholder: () => '?',
  nullSafeEquals: 'IS',
  encodeTimestamp: (date) => date.getTime(),
  decodeTimestamp: (ms) => new Date(Number(ms)),
  encodeJson: (value) => JSON.stringify(value),
  decodeJson: (text) => JSON.parse(String(text)),
})
