import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import type { MasterVideo } from '../record/master-video.js'
import { initialRecord } from '../record/state-machine.js'
import { MasterVideoEmitter } from '../service/events.js'
import { newJob } from '../testing/repository-conformance.js'
import { webhookNotifier } from './webhook-notifier.js'
import { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature.js'

interface Delivery {
  headers: Record<string, string>
  body: string
}

let server: Server | undefined
afterEach(() => {
  server?.close()
})

/** A receiver on 127.0.0.1 that answers each request with the next status in `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = []
  const listening = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      deliveries.push({ headers: req.headers as Record<string, string>, body })
      res.statusCode = statuses.shift() ?? 200
      res.end()
    })
  })
  server = listening
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/hook`, deliveries }
}

function record(status: MasterVideo['status']): MasterVideo {
  const now = new Date()
  const base = initialRecord(newJob({ name: 'Мастер "003"' }), now)
  return {
    ...base,
    status,
    progress: 1,
    attempts: 1,
    leaseToken: 'secret-token',
    startedAt: now,
    completedAt: now,
  }
}

describe('webhookNotifier', () => {
  it('posts completed, failed and canceled, signed so that an independent verifier accepts them', async () => {
    const secret = newWebhookSecret()
    const { url, deliveries } = await receiver()
    const emitter = new MasterVideoEmitter()
    const notifier = webhookNotifier({ url, secret })
    const detach = notifier.attach(emitter)
    const done = record('completed')
    emitter.emit('completed', done)
    emitter.emit('failed', record('failed'))
    emitter.emit('canceled', record('canceled'))
    emitter.emit('processing', record('processing'))
    await notifier.drain()
    expect(deliveries.map((d) => JSON.parse(d.body).type).sort()).toEqual([
      'master_video.canceled',
      'master_video.completed',
      'master_video.failed',
    ])
    const verifier = new Webhook(secret)
    for (const delivery of deliveries) {
      expect(() => verifier.verify(delivery.body, delivery.headers)).not.toThrow()
      expect(verifyWebhook(secret, delivery.headers, delivery.body)).toBe(true)
      expect(delivery.body).not.toContain('secret-token')
    }
    const completed = deliveries.find((d) => d.body.includes('completed')) as Delivery
    expect(JSON.parse(completed.body).data).toMatchObject({
      id: done.id,
      name: 'Мастер "003"',
      status: 'completed',
    })
    detach()
    emitter.emit('completed', record('completed'))
    await notifier.drain()
    expect(deliveries).toHaveLength(3)
  })

  it('retries with backoff until the receiver accepts', async () => {
    const { url, deliveries } = await receiver([500, 503])
    const emitter = new MasterVideoEmitter()
    const notifier = webhookNotifier({ url, secret: 's', retryBaseMs: 10 })
    notifier.attach(emitter)
    emitter.emit('completed', record('completed'))
    await notifier.drain()
    expect(deliveries).toHaveLength(3)
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1)
  })

  it('gives up after maxAttempts against a dead receiver, without throwing', async () => {
    const emitter = new MasterVideoEmitter()
    const notifier = webhookNotifier({
      url: 'http://127.0.0.1:9/none',
      secret: 's',
      maxAttempts: 2,
      retryBaseMs: 5,
    })
    notifier.attach(emitter)
    emitter.emit('failed', record('failed'))
    await expect(notifier.drain()).resolves.toBeUndefined()
  })
})

describe('verifyWebhook', () => {
  const secret = newWebhookSecret()
  const now = 1_800_000_000
  const body = '{"type":"master_video.completed"}'
  const headers = signWebhook(secret, 'msg_1', now, body)

  it('accepts the genuine delivery', () => {
    expect(verifyWebhook(secret, { ...headers }, body, { nowSec: now })).toBe(true)
  })
  it('rejects an altered body, id or timestamp, and a wrong secret', () => {
    expect(verifyWebhook(secret, { ...headers }, body.replace('completed', 'failed'), { nowSec: now })).toBe(
      false,
    )
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_2' }, body, { nowSec: now })).toBe(false)
    expect(
      verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(now + 1) }, body, { nowSec: now }),
    ).toBe(false)
    expect(verifyWebhook(newWebhookSecret(), { ...headers }, body, { nowSec: now })).toBe(false)
  })
  it('rejects a replay outside the tolerance window', () => {
    expect(verifyWebhook(secret, { ...headers }, body, { nowSec: now + 301 })).toBe(false)
  })
  it('rejects missing or malformed headers', () => {
    expect(verifyWebhook(secret, {}, body)).toBe(false)
    expect(verifyWebhook(secret, { ...headers, 'webhook-signature': 'v2,abc' }, body, { nowSec: now })).toBe(
      false,
    )
    expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': 'soon' }, body, { nowSec: now })).toBe(
      false,
    )
  })
})
