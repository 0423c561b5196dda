import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import type { Channel } from './channels.js'
import { type DeliveryLedger, deliveryLedger } from './delivery-ledger.js'
import { toNotice } from './notice.js'

/** What {@link createRelay} needs. */
export interface RelayOptions {
  /** The signing secret: `whsec_<base64>` as mastervideo makes it, or any other string (used as UTF-8 bytes). */
  webhookSecret: string
  channels: Channel[]
  ledger?: DeliveryLedger
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Where the relay says what it did. Default `console.log`. */
  log?: (line: string) => void
}

/**
 * The verifier for a mastervideo secret. Standard Webhooks secrets are
 * `whsec_` + base64; mastervideo also signs with any other string taken as
 * UTF-8 bytes, which the `standardwebhooks` package reads in its `raw` format.
 */
function verifierFor(secret: string): Webhook {
  return secret.startsWith('whsec_')
    ? new Webhook(secret)
    : new Webhook(new TextEncoder().encode(secret), { format: 'raw' })
}

class TooLarge extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > limit) throw new TooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function answer(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** The header as one string (Node gives arrays only for headers that may repeat). */
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? ''

/**
 * A webhook receiver as a Node HTTP server (not yet listening):
 * - `POST` (any path) verifies the Standard Webhooks signature with the
 *   `standardwebhooks` package and answers 401 when it does not hold (bad or
 *   missing signature, timestamp more than 5 minutes off), before anything else;
 * - `master_video.completed` and `master_video.failed` go to every channel that
 *   has not had this `webhook-id` yet; other event types are acknowledged and dropped;
 * - 200 once every channel has it (a repeated id is acknowledged without
 *   sending again), 502 when a channel failed, so the sender retries later and
 *   the repeat goes only to the channels that missed it;
 * - `GET /healthz` answers 200 for an uptime monitor.
 *
 * @example
 * ```ts
 * const server = createRelay({ webhookSecret: process.env.WEBHOOK_SECRET ?? '', channels: [] })
 * server.listen(8787, '127.0.0.1')
 * ```
 */
export function createRelay(options: RelayOptions): Server {
  const verifier = verifierFor(options.webhookSecret)
  const ledger = options.ledger ?? deliveryLedger()
  const log = options.log ?? console.log
  const limit = options.maxBodyBytes ?? 1024 * 1024

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && request.url === '/healthz') return answer(response, 200, { ok: true })
    if (request.method !== 'POST') return answer(response, 405, { error: 'POST a webhook here' })

    const raw = await readBody(request, limit)
    const id = single(request.headers['webhook-id'])
    let payload: unknown
    try {
      payload = verifier.verify(raw, {
        'webhook-id': id,
        'webhook-timestamp': single(request.headers['webhook-timestamp']),
        'webhook-signature': single(request.headers['webhook-signature']),
      })
    } catch (error) {
      if (!(error instanceof WebhookVerificationError))
        return answer(response, 400, { error: 'Body is not JSON' })
      log(`refused ${id || '(no id)'}: ${error.message}`)
      return answer(response, 401, { error: 'Signature does not verify' })
    }

    let notice: ReturnType<typeof toNotice>
    try {
      notice = toNotice(payload)
    } catch (error) {
      return answer(response, 400, { error: (error as Error).message })
    }
    if (!notice) return answer(response, 200, { forwarded: [] })
    const forward = notice

    const result = await ledger.serialize(id, async () => {
      const already = ledger.done(id)
      const pending = options.channels.filter((channel) => !already.has(channel.name))
      const outcomes = await Promise.allSettled(pending.map((channel) => channel.send(forward)))
      const failed: string[] = []
      outcomes.forEach((outcome, index) => {
        const channel = pending[index] as Channel
        if (outcome.status === 'fulfilled') ledger.mark(id, channel.name)
        else {
          failed.push(channel.name)
          log(`${channel.name} failed for ${id}: ${(outcome.reason as Error)?.message ?? outcome.reason}`)
        }
      })
      return { sent: pending.map((c) => c.name).filter((name) => !failed.includes(name)), failed }
    })
    if (result.failed.length > 0) return answer(response, 502, { error: 'Forwarding failed', ...result })
    log(
      `${id} ${forward.outcome}: ${result.sent.length > 0 ? `sent to ${result.sent.join(', ')}` : 'duplicate'}`,
    )
    return answer(response, 200, { forwarded: result.sent, duplicate: result.sent.length === 0 })
  }

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof TooLarge) return answer(response, 413, { error: 'Body too large' })
      log(`relay error: ${(error as Error)?.stack ?? error}`)
      if (!response.headersSent) answer(response, 500, { error: 'Relay error' })
    })
  })
}

/** Starts `server` on `host:port` (0 picks a free port) and resolves with its base URL. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`
}
