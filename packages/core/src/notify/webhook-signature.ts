import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The secret's raw bytes. Standard Webhooks secrets are `whsec_<base64>`;
 * any other string is used as UTF-8 bytes.
 */
function secretBytes(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8')
}

/** A new secret in the Standard Webhooks format (`whsec_` + 32 random bytes in base64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** The three headers that sign one delivery, the Standard Webhooks way. */
export interface WebhookHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

/**
 * Signs `body` as Standard Webhooks specifies: HMAC-SHA256 over
 * `<id>.<timestamp>.<body>`, base64, prefixed `v1,`.
 */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): WebhookHeaders {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(`${id}.${timestampSec}.${body}`)
    .digest('base64')
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSec), 'webhook-signature': `v1,${mac}` }
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, in seconds. Default 300 (5 minutes). */
  toleranceSec?: number
  /** The current time in seconds (tests). */
  nowSec?: number
}

/**
 * Checks a delivery on the receiving side: the signature (any of the
 * space-separated `v1,` entries) must match and the timestamp must be within
 * `toleranceSec` of now. Returns false for anything else. To reject replays
 * within the tolerance window, a receiver also remembers the `webhook-id`s it has seen.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from '@mastervideo/core'
 *
 * // in your HTTP handler, with the raw body string:
 * declare const headers: Record<string, string>, rawBody: string
 * if (!verifyWebhook(process.env.WEBHOOK_SECRET ?? '', headers, rawBody)) throw new Error('bad signature')
 * ```
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: VerifyWebhookOptions = {},
): boolean {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()]
    return Array.isArray(value) ? value[0] : value
  }
  const id = header('webhook-id')
  const timestamp = header('webhook-timestamp')
  const signatures = header('webhook-signature')
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false
  const now = options.nowSec ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSec ?? 300)) return false
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body)['webhook-signature'].slice(3))
  return signatures.split(' ').some((entry) => {
    if (!entry.startsWith('v1,')) return false
    const given = Buffer.from(entry.slice(3))
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}
