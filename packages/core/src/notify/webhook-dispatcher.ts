import { randomBytes } from 'node:crypto'
import type { ClaimedDelivery, Outbox } from '../outbox/outbox.js'
import { backoffDelay } from '../support/backoff.js'
import { type Logger, silentLogger } from '../support/logger.js'
import { signWebhook } from './webhook-signature.js'

/** One named receiver of webhooks. The name is what the outbox stores; URL and secret stay in config. */
export interface WebhookEndpoint {
  /** Stable name, e.g. `default` or `billing`. Deliveries are kept per name. */
  name: string
  /** Where to POST. */
  url: string
  /** The signing secret (`whsec_...` or any string); the receiver verifies with the same one. */
  secret: string
}

/** Options of {@link webhookDispatcher}. */
export interface WebhookDispatcherOptions {
  /** The repository's outbox (`repository.outbox`). */
  outbox: Outbox
  /** Where deliveries go. Each is registered with the outbox at `start()`. */
  endpoints: readonly WebhookEndpoint[]
  /** Sends per delivery before it goes `dead`. Default 8. */
  maxAttempts?: number
  /** First retry delay, doubled each attempt with jitter, at most `retryMaxMs`. Default 1000 ms. */
  retryBaseMs?: number
  /** Longest retry delay. Default 300000 ms (5 minutes). */
  retryMaxMs?: number
  /** How often the outbox is checked for due deliveries. Default 1000 ms. */
  pollMs?: number
  /** Per-request time limit. Default 10000 ms. */
  timeoutMs?: number
  /** How long a claim holds a delivery; must exceed `timeoutMs`. Default `timeoutMs * 3`. */
  leaseMs?: number
  /** Deliveries claimed per round. Default 10. */
  batchSize?: number
  logger?: Logger
  /** Replaces global `fetch` (tests, proxies). */
  fetch?: typeof fetch
}

/** A running (or runnable) delivery loop. */
export interface WebhookDispatcher {
  /** Registers the endpoints and begins delivering every `pollMs`. Returns the dispatcher. */
  start(): WebhookDispatcher
  /** Claims and sends one batch of due deliveries now; resolves with how many were sent successfully. */
  deliverDue(): Promise<number>
  /** Asks for a round soon (a transition just wrote an event). */
  wake(): void
  /** Stops polling and waits (at most `timeoutMs`) for sends in flight. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Delivers a repository's webhook outbox: claims due deliveries with a
 * lease (so many processes may run a dispatcher on one database and never
 * send one delivery at the same time), POSTs each signed the Standard
 * Webhooks way, and records the outcome: delivered on a 2xx answer, retried
 * with exponential backoff otherwise, `dead` after `maxAttempts`. The
 * contract is at least once: a process killed mid-send sends again after its
 * lease lapses, under the same `webhook-id`, so receivers drop repeats by it.
 *
 * @example
 * ```ts
 * import { memoryRepository, webhookDispatcher } from '@mastervideo/core'
 *
 * const repository = memoryRepository()
 * const dispatcher = webhookDispatcher({
 *   outbox: repository.outbox!,
 *   endpoints: [{ name: 'default', url: 'https://example.com/hooks/video', secret: process.env.WEBHOOK_SECRET ?? '' }],
 * }).start()
 * process.once('SIGTERM', () => void dispatcher.stop())
 * ```
 */
export function webhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const logger = options.logger ?? silentLogger
  const doFetch = options.fetch ?? fetch
  const maxAttempts = options.maxAttempts ?? 8
  const timeoutMs = options.timeoutMs ?? 10_000
  const leaseMs = options.leaseMs ?? timeoutMs * 3
  const pollMs = options.pollMs ?? 1000
  const byName = new Map(options.endpoints.map((e) => [e.name, e]))
  const names = [...byName.keys()]
  if (byName.size !== options.endpoints.length) throw new RangeError('webhook endpoint names must be unique')
  if (leaseMs <= timeoutMs)
    throw new RangeError('leaseMs must exceed timeoutMs, or a slow send is sent twice at once')

  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null
  let again = false
  let stopped = false
  let registered: Promise<void> | null = null

  /** One POST; resolves with null on a 2xx, or why it failed. */
  async function send(delivery: ClaimedDelivery): Promise<string | null> {
    const endpoint = byName.get(delivery.endpoint)
    if (!endpoint) return `no endpoint named ${delivery.endpoint}`
    try {
      const headers = signWebhook(
        endpoint.secret,
        delivery.eventId,
        Math.floor(Date.now() / 1000),
        delivery.body,
      )
      const response = await doFetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: delivery.body,
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.body?.cancel()
      return response.ok ? null : `HTTP ${response.status}`
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    }
  }

  async function settle(delivery: ClaimedDelivery): Promise<boolean> {
    const failure = await send(delivery)
    const context = { id: delivery.eventId, endpoint: delivery.endpoint, attempt: delivery.attempts }
    if (failure === null) {
      if (!(await options.outbox.delivered(delivery)))
        logger.warn(context, 'mastervideo webhook claim lost after a send')
      return true
    }
    const dead = delivery.attempts >= maxAttempts
    const retryAt = dead
      ? null
      : new Date(
          Date.now() +
            backoffDelay(delivery.attempts, {
              baseMs: options.retryBaseMs ?? 1000,
              maxMs: options.retryMaxMs ?? 300_000,
            }),
        )
    await options.outbox.failed(delivery, { error: failure, retryAt })
    if (dead) logger.error({ ...context, error: failure }, 'mastervideo webhook delivery is dead')
    else logger.warn({ ...context, error: failure }, 'mastervideo webhook delivery failed, will retry')
    return false
  }

  /** Registers the endpoints once; a failed attempt is tried again by the next round. */
  function register(): Promise<void> {
    registered ??= options.outbox.registerEndpoints(names).catch((error: unknown) => {
      registered = null
      throw error
    })
    return registered
  }

  async function deliverDue(): Promise<number> {
    await register()
    const claimed = await options.outbox.claim({
      endpoints: names,
      leaseToken: randomBytes(12).toString('base64url'),
      leaseMs,
      limit: options.batchSize ?? 10,
    })
    const sent = await Promise.all(claimed.map(settle))
    return sent.filter(Boolean).length
  }

  /** One round at a time per process; a wake during a round runs another right after. */
  function round(): void {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = deliverDue()
      .then((n) => {
        // A full batch may mean more are due.
        if (n >= (options.batchSize ?? 10)) again = true
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'mastervideo webhook round failed'))
      .finally(() => {
        running = null
        if (again) {
          again = false
          round()
        }
      })
  }

  const dispatcher: WebhookDispatcher = {
    start() {
      if (timer || stopped) return dispatcher
      register().catch((error: unknown) => {
        logger.warn({ err: error }, 'mastervideo webhook endpoints not registered yet')
      })
      timer = setInterval(round, pollMs)
      timer.unref?.()
      round()
      return dispatcher
    },
    deliverDue,
    wake: round,
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      timer = null
      if (running) {
        await Promise.race([running, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref?.())])
      }
    },
  }
  return dispatcher
}
