import type { ByteRange } from '@mastervideo/core'

// RFC 9110 byte ranges (section 14) and conditional requests (section 13),
// pure: no I/O, so every case is a unit test. Written here rather than taken
// from `range-parser` because that parser answers a suffix longer than the
// file with "unsatisfiable" (RFC 9110 14.1.1 serves the whole file) and leaves
// the If-Range rules (strong comparison only) to the caller.

/** What the validators of a stored file are made of: its metadata, never its bytes. */
export interface FileMeta {
  size: number
  mtimeMs: number
}

/** The validators a file response carries. */
export interface FileValidators {
  /** Strong: the file under a key never changes in place (commits are atomic renames). */
  etag: string
  lastModified: string
}

/** What to send for a GET or HEAD of a file. */
export type FilePlan =
  | { kind: 'full' }
  | { kind: 'partial'; ranges: ByteRange[] }
  | { kind: 'unsatisfiable' }
  | { kind: 'not-modified' }
  | { kind: 'precondition-failed' }

/** The request headers {@link planFileResponse} reads. */
export interface RangeRequest {
  method: string
  header(name: string): string | undefined
}

/** Result of {@link parseRange}. */
export type ParsedRange =
  | { kind: 'ignore' }
  | { kind: 'unsatisfiable' }
  | { kind: 'ranges'; ranges: ByteRange[] }

/**
 * The strong ETag and Last-Modified of a file, from its size and mtime.
 *
 * @example
 * ```ts
 * const { etag } = fileValidators({ size: 1024, mtimeMs: 1700000000000 }) // '"18bcfe56800-400"'
 * ```
 */
export function fileValidators(file: FileMeta): FileValidators {
  const mtime = Math.floor(file.mtimeMs)
  return {
    etag: `"${mtime.toString(16)}-${file.size.toString(16)}"`,
    lastModified: new Date(mtime).toUTCString(),
  }
}

const INT_RANGE = /^(\d+)-(\d*)$/
const SUFFIX_RANGE = /^-(\d+)$/

/**
 * Parses a `Range` header against a file of `size` bytes (RFC 9110 14.1-14.2).
 * `ignore` means serve the whole file: no header, another unit, a malformed
 * header, more than `maxRanges` ranges, or overlapping ranges (which would let
 * one request make the server send the file many times over).
 *
 * @example
 * ```ts
 * parseRange('bytes=-500', 100, 8) // { kind: 'ranges', ranges: [{ start: 0, end: 99 }] }
 * ```
 */
export function parseRange(header: string | undefined, size: number, maxRanges: number): ParsedRange {
  if (header === undefined) return { kind: 'ignore' }
  const equals = header.indexOf('=')
  if (equals <= 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return { kind: 'ignore' }
  // `#` lists: recipients accept empty elements and optional whitespace (RFC 9110 5.6.1).
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '')
  if (specs.length === 0 || specs.length > maxRanges) return { kind: 'ignore' }

  const ranges: ByteRange[] = []
  for (const spec of specs) {
    const int = INT_RANGE.exec(spec)
    if (int) {
      const first = Number(int[1])
      const last = int[2] === '' ? Number.POSITIVE_INFINITY : Number(int[2])
      if (last < first) return { kind: 'ignore' } // an invalid int-range makes the whole header invalid
      if (first < size) ranges.push({ start: first, end: Math.min(last, size - 1) })
      continue
    }
    const suffix = SUFFIX_RANGE.exec(spec)
    if (suffix) {
      const length = Number(suffix[1])
      // A suffix longer than the file means the whole file (RFC 9110 14.1.1).
      if (length > 0 && size > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1 })
      continue
    }
    return { kind: 'ignore' }
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' }
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i] as ByteRange).start <= (sorted[i - 1] as ByteRange).end) return { kind: 'ignore' }
  }
  return { kind: 'ranges', ranges }
}

/** Entity tags of an `If-Match` / `If-None-Match` / `If-Range` value; `*` stays `*`. */
function entityTags(value: string): string[] | '*' {
  if (value.trim() === '*') return '*'
  return value.match(/(?:W\/)?"[^"]*"/g) ?? []
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag)

/** Seconds since the epoch of an HTTP-date, or null if it is not one. */
function httpDateSeconds(value: string | undefined): number | null {
  if (value === undefined) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

/**
 * Decides the answer to a GET or HEAD of a file, evaluating the preconditions
 * in RFC 9110 13.2.2's order: If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since, then Range with If-Range. HEAD ignores Range (range
 * handling is defined for GET only) but otherwise answers as GET.
 *
 * @example
 * ```ts
 * const plan = planFileResponse(
 *   { method: 'GET', header: (name) => (name === 'range' ? 'bytes=0-1' : undefined) },
 *   { size: 1000, mtimeMs: Date.now() },
 *   8,
 * ) // { kind: 'partial', ranges: [{ start: 0, end: 1 }] }
 * ```
 */
export function planFileResponse(request: RangeRequest, file: FileMeta, maxRanges: number): FilePlan {
  const { etag, lastModified } = fileValidators(file)
  const modifiedSec = Math.floor(Math.floor(file.mtimeMs) / 1000)

  const ifMatch = request.header('if-match')
  if (ifMatch !== undefined) {
    const tags = entityTags(ifMatch)
    // Strong comparison: a weak tag never matches.
    if (tags !== '*' && !tags.includes(etag)) return { kind: 'precondition-failed' }
  } else {
    const since = httpDateSeconds(request.header('if-unmodified-since'))
    if (since !== null && modifiedSec > since) return { kind: 'precondition-failed' }
  }

  const ifNoneMatch = request.header('if-none-match')
  if (ifNoneMatch !== undefined) {
    const tags = entityTags(ifNoneMatch)
    // Weak comparison.
    if (tags === '*' || tags.some((tag) => opaque(tag) === etag)) return { kind: 'not-modified' }
  } else {
    const since = httpDateSeconds(request.header('if-modified-since'))
    if (since !== null && modifiedSec <= since) return { kind: 'not-modified' }
  }

  if (request.method !== 'GET') return { kind: 'full' }
  const range = request.header('range')
  if (range === undefined) return { kind: 'full' }
  const ifRange = request.header('if-range')
  if (ifRange !== undefined && !ifRangeHolds(ifRange.trim(), etag, lastModified)) return { kind: 'full' }
  const parsed = parseRange(range, file.size, maxRanges)
  if (parsed.kind === 'ignore') return { kind: 'full' }
  if (parsed.kind === 'unsatisfiable') return { kind: 'unsatisfiable' }
  return { kind: 'partial', ranges: parsed.ranges }
}

function ifRangeHolds(value: string, etag: string, lastModified: string): boolean {
  // An entity tag must match strongly (a weak one never does); a date must be
  // exactly the Last-Modified we send (RFC 9110 13.1.5).
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag
  const given = httpDateSeconds(value)
  return given !== null && given === httpDateSeconds(lastModified)
}
