import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** `n` random characters from `[a-z0-9]` (rejection-free: 256 % 36 bias is under 1%, fine for ids). */
export function randomSuffix(n = 8): string {
  const bytes = randomBytes(n)
  let out = ''
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length]
  return out
}

/**
 * A new job id, `master_<ms>_<8 chars>`: ids sort by creation time, and the
 * prefix says what an id names wherever it shows up (a URL, a log line, a file name).
 *
 * @example
 * ```ts
 * import { newMasterVideoId } from '@mastervideo/core'
 *
 * newMasterVideoId() // 'master_1768767946016_usj9yp9y'
 * ```
 */
export function newMasterVideoId(now: number = Date.now()): string {
  return `master_${now}_${randomSuffix(8)}`
}

/** A fresh, unguessable lease token for one claim. */
export function newLeaseToken(): string {
  return randomBytes(16).toString('hex')
}
