/**
 * PostgreSQL `text` cannot hold U+0000, and neither can `jsonb`. The contract
 * says every string round-trips exactly, so strings go into `text` columns
 * through this reversible encoding:
 *
 * - A string without NUL that does not start with U+0001 is stored as is, so
 *   every ordinary name, id and key reads plainly in `psql`.
 * - Any other string is stored as U+0001 followed by the string with `\`
 *   doubled and each NUL written as `\0`.
 *
 * The two forms cannot collide (only the second starts with U+0001) and the
 * escaping is injective, so equality on the stored form is equality on the
 * string: `WHERE project_id = $1` and the unique index on idempotency keys
 * keep working. JSON columns use the `json` type, which keeps its text
 * verbatim, so `"\u0000"` inside them survives as JSON's own escape.
 */

const MARK = '\u0001'

/** The stored form of `value`. */
export function encodeText(value: string): string {
  if (!value.includes('\u0000') && !value.startsWith(MARK)) return value
  return MARK + value.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0')
}

/** The string whose stored form is `stored`. */
export function decodeText(stored: string): string {
  if (!stored.startsWith(MARK)) return stored
  return stored.slice(1).replace(/\\(\\|0)/g, (_, c: string) => (c === '0' ? '\u0000' : '\\'))
}

/** {@link encodeText} for nullable columns. */
export function encodeNullable(value: string | null): string | null {
  return value === null ? null : encodeText(value)
}

/** {@link decodeText} for nullable columns. */
export function decodeNullable(stored: string | null): string | null {
  return stored === null ? null : decodeText(stored)
}
