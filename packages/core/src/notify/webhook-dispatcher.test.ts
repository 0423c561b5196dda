import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryRepository } from '../repository/memory-repository.js'
import { newJob, sampleOutput } from '../testing/repository-suite.js'
import { webhookDispatcher } from './webhook-dispatcher.js'
import { webhookEventId } from './webhook-payload.js'
import { newWebhookSecret } from './webhook-signature.js'

interface Received {
  headers: Record<string, string>
  body: string
}

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A receiver on 127.0.0.1 that answers each request with the next status in `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body })
      res.statusCode = statuses.shift() ?? 200
      res.end()
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received }
}

async function completedJob(repository = memoryRepository()) {
  await repository.create(newJob())
  const claimed = await repository.claim({ workerId: 'w', leaseToken: 't', leaseMs: 30_000 })
  if (!claimed) throw new Error('no job')
  const record = await repository.complete(claimed.lease, { output: sampleOutput, thumbnailKey: null })
  return { repository, record }
}

describe('webhookDispatcher', () => {
  it('delivers each endpoint its copy, signed so that an independent verifier accepts it, once', async () => {
    const [a, b] = [await receiver(), await receiver()]
    const secrets = [newWebhookSecret(), newWebhookSecret()]
    const repository = memoryRepository()
    const outbox = repository.outbox
    if (!outbox) throw new Error('no outbox')
    const dispatcher = webhookDispatcher({
      outbox,
      endpoints: [
        { name: 'a', url: a.url, secret: secrets[0] as string },
        { name: 'b', url: b.url, secret: secrets[1] as string },
      ],
    })
    await dispatcher.deliverDue()
    const { record } = await completedJob(repository)
    expect(await dispatcher.deliverDue()).toBe(2)
    expect(await dispatcher.deliverDue()).toBe(0)
    for (const [i, { received }] of [a, b].entries()) {
      expect(received).toHaveLength(1)
      const [one] = received as [Received]
      expect(one.headers['webhook-id']).toBe(webhookEventId('master_video.completed', record))
      const payload = new Webhook(secrets[i] as string).verify(one.body, one.headers) as { type: string }
      expect(payload.type).toBe('master_video.completed')
    }
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 2, dead: 0 })
  })

  it('retries a refused delivery with backoff, then goes dead after maxAttempts; retry sends it again', async () => {
    const hook = await receiver([500, 503, 500])
    const repository = memoryRepository()
    const outbox = repository.outbox
    if (!outbox) throw new Error('no outbox')
    const dispatcher = webhookDispatcher({
      outbox,
      endpoints: [{ name: 'a', url: hook.url, secret: 's' }],
      maxAttempts: 3,
      retryBaseMs: 20,
      retryMaxMs: 40,
    })
    await dispatcher.deliverDue()
    const { record } = await completedJob(repository)
    for (let i = 0; i < 3; i++) {
      await dispatcher.deliverDue()
      await new Promise((resolve) => setTimeout(resolve, 60))
    }
    expect(hook.received).toHaveLength(3)
    expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([webhookEventId('master_video.completed', record)]),
    )
    const [dead] = await outbox.list({ status: 'dead' })
    expect(dead).toMatchObject({ attempts: 3, lastError: 'HTTP 500' })
    expect(await outbox.retry(dead?.eventId ?? '')).toBe(1)
    expect(await dispatcher.deliverDue()).toBe(1)
    expect(hook.received).toHaveLength(4)
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 1, dead: 0 })
  })

  it('start() delivers on its own within pollMs, and stop() ends it', async () => {
    const hook = await receiver()
    const repository = memoryRepository()
    const outbox = repository.outbox
    if (!outbox) throw new Error('no outbox')
    const dispatcher = webhookDispatcher({
      outbox,
      endpoints: [{ name: 'a', url: hook.url, secret: 's' }],
      pollMs: 20,
    }).start()
    await new Promise((resolve) => setTimeout(resolve, 30))
    await completedJob(repository)
    for (let i = 0; i < 50 && hook.received.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20))
    expect(hook.received).toHaveLength(1)
    await dispatcher.stop()
    await completedJob(repository)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(hook.received).toHaveLength(1)
  })

  it('refuses duplicate endpoint names and a lease no longer than the timeout', () => {
    const outbox = memoryRepository().outbox
    if (!outbox) throw new Error('no outbox')
    const endpoint = { name: 'a', url: 'http://127.0.0.1:9/', secret: 's' }
    expect(() => webhookDispatcher({ outbox, endpoints: [endpoint, endpoint] })).toThrow(RangeError)
    expect(() =>
      webhookDispatcher({ outbox, endpoints: [endpoint], timeoutMs: 1000, leaseMs: 1000 }),
    ).toThrow(RangeError)
  })
})
