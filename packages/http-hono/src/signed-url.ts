import { createHmac, timingSafeEqual } from 'node:crypto'
import { invalidOption } from './errors.js'

/**
 * The file routes a signed URL can open: the master's files, a rendition's
 * video and download, and `hls`, every file of the job's HLS ladder (a path prefix).
 */
export type SignedKind = 'video' | 'download' | 'thumbnail' | 'rendition-video' | 'rendition-download' | 'hls'

/** What a signed URL proves: this file of this job, until `expires` (seconds since the epoch). */
export interface SignedTarget {
  kind: SignedKind
  projectId: string
  id: string
  /** The rendition's name, for `rendition-video` and `rendition-download`. */
  rendition?: string
}

/** Signs and checks the `expires` and `signature` query parameters of file URLs. */
export interface UrlSigner {
  /** The query string (without `?`) that lets `target` be fetched until `now + ttl`. */
  sign(target: SignedTarget, nowMs?: number): string
  /**
   * `absent` when the URL carries no signature (authorize as usual), `valid`
   * when it is intact and unexpired, `invalid` otherwise.
   */
  verify(
    target: SignedTarget,
    query: { expires?: string; signature?: string },
    nowMs?: number,
  ): 'absent' | 'valid' | 'invalid'
}

const MIN_SECRET_BYTES = 32

/**
 * An HMAC-SHA256 signer for file URLs. A `<video src>` cannot send an
 * Authorization header, so the record's URLs carry a short-lived signature the
 * routes accept in place of `authorize`. The signature covers the route kind,
 * the project, the job and the expiry; changing any of them breaks it.
 *
 * @example
 * ```ts
 * const signer = urlSigner('a secret of at least 32 bytes, kept on the server', 600)
 * const query = signer.sign({ kind: 'video', projectId: 'p1', id: 'master_1_abcdefgh' })
 * ```
 */
export function urlSigner(secret: string | Uint8Array, ttlSec: number): UrlSigner {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
  if (key.length < MIN_SECRET_BYTES) {
    throw invalidOption(`signingSecret must be at least ${MIN_SECRET_BYTES} bytes (use a random string)`, {
      details: { field: 'signingSecret' },
    })
  }
  if (!Number.isInteger(ttlSec) || ttlSec <= 0) {
    throw invalidOption('urlTtlSec must be a positive integer', { details: { field: 'urlTtlSec' } })
  }
  // The kind comes first and is one of a fixed set, so a rendition's line
  // cannot make one kind's signature pass as another's.
  const mac = (target: SignedTarget, expires: string) =>
    createHmac('sha256', key)
      .update(
        [
          target.kind,
          target.projectId,
          target.id,
          ...(target.rendition === undefined ? [] : [target.rendition]),
          expires,
        ].join('\n'),
      )
      .digest()

  return {
    sign(target, nowMs = Date.now()) {
      const expires = String(Math.floor(nowMs / 1000) + ttlSec)
      return `expires=${expires}&signature=${mac(target, expires).toString('base64url')}`
    },
    verify(target, { expires, signature }, nowMs = Date.now()) {
      if (expires === undefined && signature === undefined) return 'absent'
      if (expires === undefined || signature === undefined || !/^\d{1,12}$/.test(expires)) return 'invalid'
      if (Number(expires) * 1000 <= nowMs) return 'invalid'
      // Compared as text, not decoded bytes: base64 decoding ignores stray
      // characters and spare bits, which would let an altered string pass.
      const given = Buffer.from(signature)
      const expected = Buffer.from(mac(target, expires).toString('base64url'))
      // Constant time, so the signature cannot be guessed byte by byte.
      return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid'
    },
  }
}
