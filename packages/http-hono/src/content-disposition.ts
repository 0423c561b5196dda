// RFC 6266 Content-Disposition with an RFC 8187 `filename*`. Written here
// because the `content-disposition` package keeps `/` and `\` raw in
// `filename`, omits `filename*` for ASCII names, and percent-encodes CR and LF
// into `filename*` (a browser then saves a file name with a line break).

// RFC 8187 attr-char: what may stand unencoded in an ext-value.
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/

/** Control characters (C0, DEL, C1) and Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/**
 * The file name a user should see: control characters (CR, LF, tab, ...)
 * become one space, path separators `/` and `\` become `_`, outer spaces go.
 *
 * @example
 * ```ts
 * safeFileName('a/b\nc.mp4') // 'a_b c.mp4'
 * ```
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(CONTROL, ' ').replace(/[/\\]/g, '_').replace(/ {2,}/g, ' ').trim()
  return cleaned === '' ? 'download' : cleaned
}

function encodeExtValue(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte)
    out += byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function asciiFallback(value: string): string {
  return (
    value
      // Letters with accents keep their base letter: "café" -> "cafe".
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      // Anything else outside printable ASCII, and characters some clients
      // mis-handle inside a quoted string (`"`, `\`, `%`), become `_`.
      .replace(/[^\x20-\x7e]+|["\\%]/g, '_')
  )
}

/**
 * A `Content-Disposition` value for downloading `name`: an ASCII `filename`
 * fallback for old clients and the exact UTF-8 name in `filename*`. No CR, LF,
 * quote, backslash, `/` or control character reaches the header raw.
 *
 * @example
 * ```ts
 * contentDisposition('café "final".mp4')
 * // attachment; filename="cafe _final_.mp4"; filename*=UTF-8''caf%C3%A9%20%22final%22.mp4
 * ```
 */
export function contentDisposition(name: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const safe = safeFileName(name)
  return `${type}; filename="${asciiFallback(safe)}"; filename*=UTF-8''${encodeExtValue(safe)}`
}
