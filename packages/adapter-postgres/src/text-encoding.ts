/**
 * PostgreSQL `text` cannot hold U+0000 (and neither can `jsonb`), and a
 * JavaScript string holding half a UTF-16 surrogate pair has no UTF-8 form
 * (the driver would store U+FFFD). The contract says every string round-trips
 * exactly, so strings go into `text` columns through this reversible encoding:
 *
 * - A string without NUL or unpaired surrogates that does not start with
 *   U+0001 is stored as is, so every ordinary name, id and key reads plainly
 *   in `psql`.
 * - Any other string is stored as U+0001 followed by the string with `\`
 *   doubled, each NUL written as `\0` and each unpaired surrogate as `\uXXXX`.
 *
 * The two forms cannot collide (only the second starts with U+0001) and the
 * escaping is injective, so equality on the stored form is equality on the
 * string: `WHERE project_id = $1` and the unique index on idempotency keys
 * keep working. JSON columns use the `json` type, which keeps its text
 * verbatim, so `"\u0000"` inside them survives as JSON's own escape.
 */

const MARK = '\u0001'
const UNSTORABLE = /\u0000|\p{Cs}/u
const TO_ESCAPE = /[\u0000\\]|\p{Cs}/gu
const ESCAPED = /\\(\\|0|u[0-9a-f]{4})/g

function escapeChar(char: string): string {
  if (char === '\\') return '\\\\'
  if (char === '\u0000') return '\\0'
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

function unescapeCode(_: string, code: string): string {
  if (code === '\\') return '\\'
  if (code === '0') return '\u0000'
  return String.fromCharCode(Number.parseInt(code.slice(1), 16))
}

/**
 * The stored form of `value` in a `text` column.
 *
 * @example
 * ```ts
 * import { decodeText, encodeText } from '@mastervideo/adapter-postgres'
 *
 * encodeText('Кириллица 😀') // unchanged
 * decodeText(encodeText('a\u0000b')) === 'a\u0000b' // true
 * ```
 */
export function encodeText(value: string): string {
  if (!UNSTORABLE.test(value) && !value.startsWith(MARK)) return value
  return MARK + value.replace(TO_ESCAPE, escapeChar)
}

/**
 * The string whose stored form is `stored` (see {@link encodeText}); use it
 * when reading the tables with your own SQL.
 *
 * @example
 * ```ts
 * import { decodeText } from '@mastervideo/adapter-postgres'
 *
 * decodeText('plain name') // 'plain name'
 * ```
 */
export function decodeText(stored: string): string {
  if (!stored.startsWith(MARK)) return stored
  return stored.slice(1).replace(ESCAPED, unescapeCode)
}
