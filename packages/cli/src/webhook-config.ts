import type { WebhookEndpoint, WorkerWebhookOptions } from '@mastervideo/core'
import { invalidSetting } from './errors.js'

/**
 * The webhook endpoints of `serve` and `worker`, read from the environment:
 * `MASTERVIDEO_WEBHOOK_URL` with `MASTERVIDEO_WEBHOOK_SECRET` (endpoint
 * `default`), or `MASTERVIDEO_WEBHOOKS`, a JSON array of `{ name, url,
 * secret }` for several. Unset: `undefined`, and the worker sends no webhooks
 * (the outbox still records events; another process may deliver them).
 *
 * @throws `VALIDATION` naming the variable when a setting is malformed.
 * @example
 * ```ts
 * const webhooks = webhookSettings({ MASTERVIDEO_WEBHOOK_URL: 'https://example.com/hooks', MASTERVIDEO_WEBHOOK_SECRET: 'whsec_...' })
 * // mv.worker({ webhooks })
 * ```
 */
export function webhookSettings(env: NodeJS.ProcessEnv = process.env): WorkerWebhookOptions | undefined {
  const many = env.MASTERVIDEO_WEBHOOKS
  if (many) {
    let endpoints: unknown
    try {
      endpoints = JSON.parse(many)
    } catch {
      endpoints = null
    }
    const valid =
      Array.isArray(endpoints) &&
      endpoints.every(
        (e) =>
          typeof e?.name === 'string' &&
          e.name !== '' &&
          typeof e?.url === 'string' &&
          typeof e?.secret === 'string',
      )
    if (!valid) {
      throw invalidSetting('MASTERVIDEO_WEBHOOKS must be a JSON array of { name, url, secret }', {
        details: { field: 'MASTERVIDEO_WEBHOOKS' },
      })
    }
    return { endpoints: endpoints as WebhookEndpoint[] }
  }
  const url = env.MASTERVIDEO_WEBHOOK_URL
  if (!url) return undefined
  const secret = env.MASTERVIDEO_WEBHOOK_SECRET
  if (!secret) {
    throw invalidSetting('MASTERVIDEO_WEBHOOK_SECRET is required with MASTERVIDEO_WEBHOOK_URL', {
      details: { field: 'MASTERVIDEO_WEBHOOK_SECRET' },
    })
  }
  return { endpoints: [{ name: 'default', url, secret }] }
}
