// GET /:projectId/master-videos/stats: the project's mv.stats() as JSON,
// matched before /:id, authorized as the list, 400 on a bad `since`, 501
// for a repository without stats.
import { createMasterVideos, memoryRepository } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizeTarget } from '../src/index.js'
import { type Fixture, fixture, json, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let server: TestServer
const seen: AuthorizeTarget[] = []

beforeAll(async () => {
  fx = await fixture()
  await fx.completedJob({ projectId: 'p1' })
  await fx.completedJob({ projectId: 'p1' })
  await fx.completedJob({ projectId: 'p2' })
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

const get = (path: string, user = 'alice') =>
  request(`${server.url}/api/projects/${path}`, { headers: { 'x-user': user } })

describe('GET /:projectId/master-videos/stats', () => {
  it("answers the project's stats, equal to mv.stats(), never cached", async () => {
    const res = await get('p1/master-videos/stats')
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = json(res)
    expect(body).toEqual(JSON.parse(JSON.stringify(await fx.mv.stats({ projectId: 'p1' }))))
    expect(body).toMatchObject({
      projectId: 'p1',
      since: null,
      total: 2,
      byStatus: { created: 0, processing: 0, completed: 2, failed: 0, canceled: 0 },
      processing: { count: 2 },
      failuresByCode: {},
    })
    expect(body.processing.p50Ms).toBeGreaterThanOrEqual(0)
    expect(body.mediaHours.master).toBeGreaterThan(0)
    // The memory repository keeps an outbox: its counts come along.
    expect(body.deliveries).toEqual(
      expect.objectContaining({ pending: expect.any(Number), delivered: expect.any(Number) }),
    )
  })

  it('is matched before /:id and authorized as the list', async () => {
    seen.length = 0
    expect((await get('p2/master-videos/stats')).status).toBe(200)
    expect(seen).toEqual([{ action: 'list', projectId: 'p2' }])
    const denied = await get('p2/master-videos/stats', 'mallory')
    expect(denied.status).toBe(403)
    expect(json(denied).code).toBe('FORBIDDEN')
  })

  it('counts only jobs created since an ISO date or date-time', async () => {
    const future = await get('p1/master-videos/stats?since=2999-01-01')
    expect(json(future)).toMatchObject({ since: '2999-01-01T00:00:00.000Z', total: 0 })
    const past = await get(`p1/master-videos/stats?since=${encodeURIComponent('2000-01-01T00:00:00+02:00')}`)
    expect(json(past)).toMatchObject({ since: '1999-12-31T22:00:00.000Z', total: 2 })
  })

  it('refuses a since that is not a date, and unknown parameters, with 400', async () => {
    for (const query of ['since=yesterday', 'since=2026-13-45', 'from=2026-01-01']) {
      const res = await get(`p1/master-videos/stats?${query}`)
      expect(res.status, query).toBe(400)
      expect(json(res).code).toBe('VALIDATION')
    }
  })

  it('answers 501 UNSUPPORTED when the repository has no stats', async () => {
    const { stats: _none, ...withoutStats } = memoryRepository()
    const mv = createMasterVideos({
      repository: withoutStats,
      transcoder: testTranscoder(),
      assets: (shot) => shot.assetId,
      output: fx.mv.output,
    })
    const bare = await serveRoutes(mv)
    try {
      const res = await request(`${bare.url}/api/projects/p1/master-videos/stats`)
      expect(res.status).toBe(501)
      expect(json(res)).toMatchObject({ code: 'UNSUPPORTED' })
    } finally {
      await bare.close()
    }
  })
})
