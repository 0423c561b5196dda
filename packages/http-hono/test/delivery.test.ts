// `delivery`: what the routes do with a store that can presign and one that
// cannot, without an object store (s3-delivery.test.ts runs the same over S3).
import type { MasterVideo, OutputStore } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentDisposition, masterVideoRoutes, type PresignRequest } from '../src/index.js'
import { type Fixture, fixture, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let record: MasterVideo
let bytes: Buffer
const signed: { key: string; options: PresignRequest }[] = []
const servers: TestServer[] = []

/** The fixture's store with a `presign` that records what it was asked. */
function presigning(store: OutputStore): OutputStore {
  return {
    ...store,
    async presign(key: string, options: PresignRequest) {
      signed.push({ key, options })
      return `https://cdn.example/${key}?sig=1`
    },
  } as OutputStore
}

async function serve(output: OutputStore, options: Parameters<typeof masterVideoRoutes>[1]) {
  const server = await serveRoutes({ ...fx.mv, output } as typeof fx.mv, options)
  servers.push(server)
  return (kind: string, init: Parameters<typeof request>[1] = {}) =>
    request(`${server.url}/api/projects/p1/master-videos/${record.id}/${kind}`, init)
}

beforeAll(async () => {
  fx = await fixture()
  ;({ record, bytes } = await fx.completedJob({ name: 'Intro', payloadBytes: 20_000 }))
})
afterAll(async () => {
  for (const server of servers) await server.close()
  await fx.close()
})

describe("delivery: 'redirect'", () => {
  it('answers video and download with a 302 that nothing may cache', async () => {
    signed.length = 0
    const get = await serve(presigning(fx.mv.output), { delivery: 'redirect' })
    const video = await get('video')
    expect(video.status).toBe(302)
    expect(video.headers.location).toBe(`https://cdn.example/${record.output?.key}?sig=1`)
    expect(video.headers['cache-control']).toBe('private, no-store')
    const download = await get('download', { method: 'HEAD' })
    expect(download.status).toBe(302)
    expect(signed).toEqual([
      { key: record.output?.key, options: { expiresInSec: 3600, contentType: 'video/mp4' } },
      {
        key: record.output?.key,
        options: {
          expiresInSec: 3600,
          contentType: 'video/mp4',
          contentDisposition: contentDisposition(`Intro_${record.id}.mp4`),
        },
      },
    ])
  })

  it('signs for redirectTtlSec and serves the thumbnail itself', async () => {
    signed.length = 0
    const get = await serve(presigning(fx.mv.output), { delivery: 'redirect', redirectTtlSec: 60 })
    await get('video')
    expect(signed[0]?.options.expiresInSec).toBe(60)
    const thumbnail = await get('thumbnail')
    expect(thumbnail.status).toBe(200)
    expect(thumbnail.headers['content-type']).toBe('image/jpeg')
  })

  it('runs authorize first: a refused caller gets no URL', async () => {
    signed.length = 0
    const get = await serve(presigning(fx.mv.output), { delivery: 'redirect', authorize: () => false })
    expect((await get('video')).status).toBe(403)
    expect(signed).toEqual([])
  })

  it('is 400 until the job is completed', async () => {
    const job = await fx.mv.create({ projectId: 'p1', name: 'later', shots: ['missing.bin'], maxAttempts: 1 })
    const server = await serveRoutes({ ...fx.mv, output: presigning(fx.mv.output) } as typeof fx.mv, {
      delivery: 'redirect',
    })
    servers.push(server)
    const res = await request(`${server.url}/api/projects/p1/master-videos/${job.id}/video`)
    expect(res.status).toBe(400)
  })

  it('proxies from a store that cannot presign', async () => {
    const get = await serve(fx.mv.output, { delivery: 'redirect' })
    const res = await get('video', { headers: { Range: 'bytes=10-19' } })
    expect(res.status).toBe(206)
    expect(res.body.equals(bytes.subarray(10, 20))).toBe(true)
  })

  it('proxies by default, even from a store that can presign', async () => {
    const get = await serve(presigning(fx.mv.output), {})
    expect((await get('video')).status).toBe(200)
  })

  it('refuses an unknown delivery and a bad redirectTtlSec when the routes are built', () => {
    expect(() => masterVideoRoutes(fx.mv, { delivery: 'redirects' as 'redirect' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
    expect(() => masterVideoRoutes(fx.mv, { delivery: 'redirect', redirectTtlSec: 0 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
  })
})
