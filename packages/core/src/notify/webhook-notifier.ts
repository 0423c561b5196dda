import type { MasterVideo } from '../record/master-video.js'
import type { MasterVideos } from '../service/master-videos.js'
import { backoffDelay } from '../support/backoff.js'
import { type Logger, silentLogger } from '../support/logger.js'
import {
  type WebhookEventType,
  type WebhookPayload,
  webhookEventId,
  webhookPayload,
} from './webhook-payload.js'
import { signWebhook } from './webhook-signature.js'

export type { WebhookEventType, WebhookPayload }

/** Options of {@link webhookNotifier}. */
export interface WebhookNotifierOptions {
  /** Where to POST. */
  url: string
  /** The signing secret (`whsec_...` or any string); the receiver verifies with the same one. */
  secret: string
  /** Deliveries tried per event. Default 5. */
  maxAttempts?: number
  /** First retry delay, doubled each time with jitter. Default 1000 ms. */
  retryBaseMs?: number
  /** Per-request time limit. Default 10000 ms. */
  timeoutMs?: number
  logger?: Logger
  /** Replaces global `fetch` (tests, proxies). */
  fetch?: typeof fetch
}

/** A notifier: attach it to a service. */
export interface WebhookNotifier {
  /** Starts posting the service's `completed`, `failed` and `canceled` events; returns the detach function. */
  attach(mv: Pick<MasterVideos, 'on' | 'off'>): () => void
  /** Resolves when every delivery in flight has succeeded or given up. */
  drain(): Promise<void>
}

const EVENTS = {
  completed: 'master_video.completed',
  failed: 'master_video.failed',
  canceled: 'master_video.canceled',
} as const

/**
 * Posts job outcomes to a URL, signed the Standard Webhooks way (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature` headers; HMAC-SHA256), retrying
 * with exponential backoff on network errors and non-2xx answers. The
 * `webhook-id` is stable per job and outcome, so a receiver can drop duplicates.
 *
 * @example
 * ```ts
 * import { webhookNotifier } from '@mastervideo/core'
 * import type { MasterVideos } from '@mastervideo/core'
 *
 * declare const mv: MasterVideos
 * webhookNotifier({ url: 'https://example.com/hooks/video', secret: process.env.WEBHOOK_SECRET ?? '' }).attach(mv)
 * ```
 */
export function webhookNotifier(options: WebhookNotifierOptions): WebhookNotifier {
  const logger = options.logger ?? silentLogger
  const doFetch = options.fetch ?? fetch
  const maxAttempts = options.maxAttempts ?? 5
  const inFlight = new Set<Promise<void>>()

  async function deliver(type: WebhookEventType, record: MasterVideo): Promise<void> {
    const body = JSON.stringify(webhookPayload(type, record))
    const id = webhookEventId(type, record)
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const headers = signWebhook(options.secret, id, Math.floor(Date.now() / 1000), body)
        const response = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        })
        await response.body?.cancel()
        if (response.ok) return
        logger.warn({ id, status: response.status, attempt }, 'mastervideo webhook refused')
      } catch (error) {
        logger.warn({ err: error, id, attempt }, 'mastervideo webhook delivery failed')
      }
      if (attempt < maxAttempts) {
        const delay = backoffDelay(attempt, { baseMs: options.retryBaseMs ?? 1000, maxMs: 60_000 })
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
    logger.error({ id, url: options.url }, 'mastervideo webhook given up')
  }

  return {
    attach(mv) {
      const listeners = (Object.keys(EVENTS) as Array<keyof typeof EVENTS>).map((event) => {
        const listener = (record: MasterVideo) => {
          const delivery = deliver(EVENTS[event], record).finally(() => inFlight.delete(delivery))
          inFlight.add(delivery)
        }
        mv.on(event, listener)
        return () => mv.off(event, listener)
      })
      return () => {
        for (const off of listeners) off()
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}
