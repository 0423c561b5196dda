// GET /:projectId/master-videos/webhooks and POST .../webhooks/:eventId/retry:
// the project's dead deliveries, and sending one again; guarded as `webhooks`,
// scoped to the project, 501 without an outbox.
import { webhookEventId } from '@mastervideo/core/adapter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizeTarget } from '../src/index.js'
import { type Fixture, fixture, json, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let server: TestServer
const seen: AuthorizeTarget[] = []
let eventId: string

beforeAll(async () => {
  fx = await fixture()
  const outbox = fx.mv.repository.outbox
  if (!outbox) throw new Error('the memory repository keeps an outbox')
  await outbox.registerEndpoints(['hooks'])
  const { record } = await fx.completedJob({ projectId: 'p1' })
  eventId = webhookEventId('master_video.completed', record)
  // Give the delivery up, as a dispatcher would after its last attempt.
  const [claimed] = await outbox.claim({ endpoints: ['hooks'], leaseToken: 't', leaseMs: 60_000 })
  if (!claimed) throw new Error('no delivery')
  await outbox.failed(claimed, { error: 'HTTP 500', retryAt: null })
  server = await serveRoutes(fx.mv, {
    authorize: (c, target) => {
      seen.push(target)
      return c.req.header('x-user') === 'alice'
    },
  })
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

const call = (path: string, method = 'GET', user = 'alice') =>
  request(`${server.url}/api/projects/${path}`, { method, headers: { 'x-user': user } })

describe('webhook routes', () => {
  it("lists the project's dead deliveries without their bodies", async () => {
    const res = await call('p1/master-videos/webhooks')
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const { items } = json(res)
    expect(items).toMatchObject([
      { eventId, endpoint: 'hooks', status: 'dead', attempts: 1, lastError: 'HTTP 500' },
    ])
    expect(items[0]).not.toHaveProperty('body')
    expect(seen.at(-1)).toEqual({ action: 'webhooks', projectId: 'p1' })
    expect(json(await call('p2/master-videos/webhooks')).items).toEqual([])
    expect((await call('p1/master-videos/webhooks?status=sent')).status).toBe(400)
  })

  it('retries a dead delivery of the project: pending again; 404 for another project or once retried', async () => {
    expect((await call(`p1/master-videos/webhooks/${eventId}/retry`, 'POST', 'mallory')).status).toBe(403)
    expect((await call(`p2/master-videos/webhooks/${eventId}/retry`, 'POST')).status).toBe(404)
    const res = await call(`p1/master-videos/webhooks/${eventId}/retry`, 'POST')
    expect(res.status).toBe(200)
    expect(json(res)).toEqual({ retried: 1 })
    expect(json(await call('p1/master-videos/webhooks?status=pending')).items).toMatchObject([
      { eventId, status: 'pending', attempts: 0 },
    ])
    expect((await call(`p1/master-videos/webhooks/${eventId}/retry`, 'POST')).status).toBe(404)
  })
})
