import { invalid } from './errors.js'

// The same rule as core's localOutputStore: one plain file name, so an output
// key means the same thing on disk and in a bucket, and never names a "folder".
const OUTPUT_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

/** S3's own limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024

/** Whether `key` is a plain output key (see {@link checkOutputKey}), without throwing. */
export function isOutputKey(key: string): boolean {
  return typeof key === 'string' && OUTPUT_KEY.test(key) && !key.includes('..')
}

/**
 * Checks an output key (`master_1_abcdefgh_1700000000000.mp4`): a plain file
 * name of letters, digits, `.`, `_` and `-`, starting with a letter or digit,
 * without `..`.
 *
 * @throws `VALIDATION` for anything else (a `/`, `..`, NUL, an empty key).
 */
export function checkOutputKey(key: string): string {
  if (!isOutputKey(key)) {
    throw invalid(`Output key ${JSON.stringify(String(key))} is not a plain file name`, { details: { key } })
  }
  return key
}

/**
 * Why an object path chosen by a client (an asset id) is refused, or null
 * when it is a plain relative path: no NUL or other control character, no
 * backslash, not absolute, no empty, `.` or `..` segment. S3 itself would
 * accept most of these; they are refused because they are how a client tries
 * to reach outside the prefix it was given (or a host's path-style tooling
 * would read them so).
 */
export function refuseObjectPath(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return 'is empty'
  if (value.includes('\u0000')) return 'contains a NUL byte'
  if (/[\u0001-\u001f\u007f]/.test(value)) return 'contains a control character'
  if (value.includes('\\')) return 'contains a backslash'
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value)) return 'is an absolute path'
  const segments = value.split('/')
  if (segments.some((segment) => segment === '..')) return 'contains ".."'
  if (segments.some((segment) => segment === '.' || segment === '')) return 'has an empty or "." segment'
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`
  return null
}

/**
 * The key prefix in canonical form: `''`, or segments joined by `/` with one
 * trailing `/` (`'videos'` and `'videos/'` both give `'videos/'`).
 *
 * @throws `VALIDATION` for a prefix that is not a plain relative path.
 */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return ''
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  const why = refuseObjectPath(trimmed)
  if (why) throw invalid(`The key prefix ${JSON.stringify(prefix)} ${why}`, { details: { field: 'prefix' } })
  return `${trimmed}/`
}

/** `prefix` + `path`, refusing a result past S3's key length limit. */
export function joinKey(prefix: string, path: string): string {
  const key = `${prefix}${path}`
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw invalid(`The object key for ${JSON.stringify(path)} is longer than ${MAX_KEY_BYTES} bytes`, {
      details: { key: path },
    })
  }
  return key
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.ts': 'video/mp2t',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
}

/**
 * The `Content-Type` an object is stored with, from its key's extension, so a
 * presigned URL or a CDN serves it as what it is.
 */
export function contentTypeOf(key: string): string {
  const dot = key.lastIndexOf('.')
  return (dot >= 0 && CONTENT_TYPES[key.slice(dot).toLowerCase()]) || 'application/octet-stream'
}
