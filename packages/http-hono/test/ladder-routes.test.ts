// The rendition and HLS routes over a real ladder made by ffmpeg (ladder-fixture.ts):
// renditions answer exactly as the master's files do (the same range checklist),
// the HLS routes serve only the files the record names, with their media types
// and cache headers, and m3u8-parser reads what they serve.
import { stat } from 'node:fs/promises'
import type { OutputStore } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentDisposition, type MasterVideoRoutesOptions, type PresignRequest } from '../src/index.js'
import { json, request, serveRoutes, type TestServer } from './helpers.js'
import { type LadderFixture, ladderFixture, parsePlaylist } from './ladder-fixture.js'
import { type RangeTarget, rangeChecklist } from './range-checklist.js'

let fx: LadderFixture
let server: TestServer
let target: RangeTarget
const servers: TestServer[] = []

const jobUrl = (base: string, id = fx.record.id) => `${base}/api/projects/p1/master-videos/${id}`

beforeAll(async () => {
  fx = await ladderFixture()
  server = await serveRoutes(fx.mv)
  const key = fx.record.renditions[0]?.key as string
  const file = await stat(fx.output.localPath?.(key) as string)
  target = {
    videoUrl: `${jobUrl(server.url)}/renditions/180p/video`,
    bytes: await fx.bytes(key),
    mtimeMs: file.mtimeMs,
    thumbnailSize: 0,
  }
}, 60_000)
afterAll(async () => {
  for (const other of servers) await other.close()
  await server?.close()
  await fx?.close()
})

async function serve(options: MasterVideoRoutesOptions, mv = fx.mv) {
  const other = await serveRoutes(mv, options)
  servers.push(other)
  return other
}

describe('GET …/:id/renditions/:name/video and /download, like the master', () => {
  rangeChecklist(() => target, { thumbnail: false })

  it('serves each rendition its own bytes, and names its download <name>_<id>_<rendition>.mp4', async () => {
    for (const rendition of fx.record.renditions) {
      const base = `${jobUrl(server.url)}/renditions/${rendition.name}`
      const video = await request(`${base}/video`)
      expect(video.status).toBe(200)
      expect(video.headers['content-type']).toBe('video/mp4')
      expect(video.body.equals(await fx.bytes(rendition.key))).toBe(true)
      const download = await request(`${base}/download`, { method: 'HEAD' })
      expect(download.status).toBe(200)
      expect(download.headers['content-disposition']).toBe(
        contentDisposition(`Ladder «1»_${fx.record.id}_${rendition.name}.mp4`),
      )
    }
  })

  it('404s a name the record does not list, a skipped one included; 400s a job not yet completed', async () => {
    for (const name of ['480p', '1080p', '..%2Fetc', 'master']) {
      const res = await request(`${jobUrl(server.url)}/renditions/${name}/video`)
      expect(res.status, name).toBe(404)
      expect(json(res).code).toBe('NOT_FOUND')
    }
    const pending = await request(`${jobUrl(server.url, fx.pending.id)}/renditions/180p/download`)
    expect(pending.status).toBe(400)
    expect(json(pending)).toEqual({ error: 'Video not ready', status: 'created' })
  })

  it("delivery: 'redirect' answers with a presigned URL carrying the download's name", async () => {
    const signed: { key: string; options: PresignRequest }[] = []
    const output = {
      ...fx.output,
      async presign(key: string, options: PresignRequest) {
        signed.push({ key, options })
        return `https://cdn.example/${key}?sig=1`
      },
    } as OutputStore
    const redirecting = await serve({ delivery: 'redirect' }, { ...fx.mv, output })
    const rendition = fx.record.renditions[1]
    const res = await request(`${jobUrl(redirecting.url)}/renditions/120p/download`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe(`https://cdn.example/${rendition?.key}?sig=1`)
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(signed).toEqual([
      {
        key: rendition?.key,
        options: {
          expiresInSec: 3600,
          contentType: 'video/mp4',
          contentDisposition: contentDisposition(`Ladder «1»_${fx.record.id}_120p.mp4`),
        },
      },
    ])
    // Playlists are never redirected (their relative URIs must resolve here); segments are.
    const playlist = await request(`${jobUrl(redirecting.url)}/hls/master.m3u8`)
    expect(playlist.status).toBe(200)
    const segment = fx.record.hls?.variants[0]?.segmentKeys[0] as string
    const moved = await request(`${jobUrl(redirecting.url)}/hls/${segment}`)
    expect(moved.status).toBe(302)
    expect(moved.headers.location).toBe(`https://cdn.example/${segment}?sig=1`)
    expect(signed.at(-1)?.options.contentType).toBe('video/iso.segment')
  })

  it('offload hands the rendition and the segments to the proxy by key', async () => {
    const offloading = await serve({ offload: { prefix: '/_mastervideo/' } })
    const rendition = fx.record.renditions[0]
    const video = await request(`${jobUrl(offloading.url)}/renditions/180p/video`)
    expect(video.headers['x-accel-redirect']).toBe(`/_mastervideo/${rendition?.key}`)
    expect(video.headers['content-type']).toBe('video/mp4')
    const init = fx.record.hls?.variants[0]?.initKey as string
    const res = await request(`${jobUrl(offloading.url)}/hls/${init}`)
    expect(res.headers['x-accel-redirect']).toBe(`/_mastervideo/${init}`)
    expect(res.body.length).toBe(0)
  })
})

describe('GET …/:id/hls/master.m3u8 and the files it leads to', () => {
  it('serves the master playlist under its stable name, and m3u8-parser reads the ladder in it', async () => {
    const res = await request(`${jobUrl(server.url)}/hls/master.m3u8`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.apple.mpegurl')
    expect(res.headers['cache-control']).toBe('private, no-cache')
    expect(res.body.equals(await fx.bytes(fx.record.hls?.masterKey as string))).toBe(true)
    const manifest = parsePlaylist(res.body.toString('utf8'))
    expect(manifest.playlists?.map((p) => p.uri)).toEqual(fx.record.hls?.variants.map((v) => v.playlistKey))
    expect(manifest.playlists?.[0]?.attributes).toMatchObject({
      RESOLUTION: { width: 240, height: 180 },
      CODECS: 'avc1.64000d,mp4a.40.2',
    })
  })

  it('walks every variant playlist, init segment and media segment by its relative URI', async () => {
    const master = `${jobUrl(server.url)}/hls/master.m3u8`
    const manifest = parsePlaylist((await request(master)).body.toString('utf8'))
    const fetched: string[] = []
    for (const variant of manifest.playlists ?? []) {
      const url = new URL(variant.uri, master).href
      const res = await request(url)
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('application/vnd.apple.mpegurl')
      expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable')
      const media = parsePlaylist(res.body.toString('utf8'))
      expect(media.endList).toBe(true)
      const init = media.segments[0]?.map?.uri as string
      for (const uri of [init, ...media.segments.map((s) => s.uri)]) {
        const file = await request(new URL(uri, url).href)
        expect(file.status, uri).toBe(200)
        expect(file.headers['content-type']).toBe(uri.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4')
        expect(file.headers['cache-control']).toBe('private, max-age=31536000, immutable')
        expect(file.body.equals(await fx.bytes(uri))).toBe(true)
        fetched.push(uri)
      }
    }
    expect(fetched.length).toBeGreaterThanOrEqual(6) // 2 variants x (init + 2 segments)
    expect(new Set(fetched)).toEqual(new Set(fx.hlsKeys.filter((key) => !key.endsWith('.m3u8'))))
  })

  it('answers ranges, HEAD and validators on segments as on the video', async () => {
    const segment = fx.record.hls?.variants[1]?.segmentKeys[1] as string
    const url = `${jobUrl(server.url)}/hls/${segment}`
    const bytes = await fx.bytes(segment)
    const part = await request(url, { headers: { Range: 'bytes=0-99' } })
    expect(part.status).toBe(206)
    expect(part.body.equals(bytes.subarray(0, 100))).toBe(true)
    const beyond = await request(url, { headers: { Range: `bytes=${bytes.length + 10}-` } })
    expect(beyond.status).toBe(416)
    expect(beyond.headers['content-range']).toBe(`bytes */${bytes.length}`)
    const head = await request(url, { method: 'HEAD' })
    expect(head.headers['content-length']).toBe(String(bytes.length))
    const again = await request(url, { headers: { 'If-None-Match': head.headers.etag as string } })
    expect(again.status).toBe(304)
  })

  it('serves only files the record names: never another key of the store, nor a path', async () => {
    const names = [
      fx.record.output?.key, // the master video: in the store, not in the ladder
      fx.record.renditions[0]?.key,
      `${fx.record.hls?.variants[0]?.name}.m3u8`,
      'index.m3u8',
      '..%2F..%2Fpackage.json',
      '%2Fetc%2Fpasswd',
      `${fx.record.hls?.variants[0]?.segmentKeys[0]}%00`,
    ]
    for (const name of names) {
      const res = await request(`${jobUrl(server.url)}/hls/${name}`)
      expect(res.status, name).toBe(404)
    }
    const pending = await request(`${jobUrl(server.url, fx.pending.id)}/hls/master.m3u8`)
    expect(pending.status).toBe(400)
  })

  it('lists the rendition and HLS URLs in the record, and none before it is completed', async () => {
    const res = json(await request(jobUrl(server.url)))
    const path = `/api/projects/p1/master-videos/${fx.record.id}`
    expect(res.urls.renditions).toEqual({
      '180p': { video: `${path}/renditions/180p/video`, download: `${path}/renditions/180p/download` },
      '120p': { video: `${path}/renditions/120p/video`, download: `${path}/renditions/120p/download` },
    })
    expect(res.urls.hls).toBe(`${path}/hls/master.m3u8`)
    const pending = json(await request(jobUrl(server.url, fx.pending.id)))
    expect(pending.urls).toMatchObject({ renditions: {}, hls: null })
  })
})

describe('POST …/master-videos asks for a ladder', () => {
  const create = (body: unknown) =>
    request(`${server.url}/api/projects/p1/master-videos`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('takes renditions and hls at the top level, as mv.create does, and in encoding', async () => {
    const renditions = [
      { name: '480p', height: 480, crf: 26 },
      { name: '360p', height: 360 },
    ]
    const top = await create({ name: 'a', shots: ['a.mp4'], renditions, hls: { segmentSec: 2 } })
    expect(top.status).toBe(201)
    expect(json(top).encoding).toMatchObject({ renditions, hls: { segmentSec: 2 } })
    const nested = await create({ name: 'b', shots: ['a.mp4'], encoding: { renditions, hls: true } })
    expect(nested.status).toBe(201)
    expect(json(nested).encoding).toMatchObject({ renditions, hls: true })
  })

  it('refuses a rendition name that cannot be a key, and HLS without a rendition, with 400', async () => {
    const bad = await create({ name: 'c', shots: ['a.mp4'], renditions: [{ name: '../720p', height: 720 }] })
    expect(bad.status).toBe(400)
    expect(json(bad).error).toMatch(/renditions\.0\.name/)
    const lonely = await create({ name: 'd', shots: ['a.mp4'], hls: true })
    expect(lonely.status).toBe(400)
    expect(json(lonely).code).toBe('VALIDATION')
  })
})
