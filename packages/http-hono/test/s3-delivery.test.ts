// The routes over `s3OutputStore` on a real S3-compatible server (s3rver in a
// child process, or MASTERVIDEO_S3_ENDPOINT): `proxy` keeps the whole RFC
// 9110 range checklist, `redirect` answers 302 to a presigned URL that serves
// the same bytes, and the download's URL names the file as the proxy does.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { s3OutputStore } from '@mastervideo/adapter-s3'
import { createMasterVideos, type MasterVideo, type MasterVideos, memoryRepository } from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Fixture, startS3 } from '../../adapter-s3/test/s3-fixture.js'
import { request, serveRoutes, type TestServer } from './helpers.js'
import { type RangeTarget, rangeChecklist } from './range-checklist.js'

let s3: S3Fixture
let prefix: string
let dir: string
let mv: MasterVideos
let stopWorker: () => Promise<void>
let record: MasterVideo
let bytes: Buffer
let proxy: TestServer
let redirect: TestServer
let target: RangeTarget

const jobPath = (server: TestServer, kind: string) =>
  `${server.url}/api/projects/p1/master-videos/${record.id}/${kind}`

beforeAll(async () => {
  s3 = await startS3()
  prefix = s3.uniquePrefix()
  dir = await mkdtemp(path.join(tmpdir(), 'mv-http-s3-'))
  await mkdir(path.join(dir, 'assets'))
  const output = s3OutputStore({
    client: s3.client,
    bucket: s3.bucket,
    prefix,
    tempDir: path.join(dir, 'tmp'),
  })
  mv = createMasterVideos({
    repository: memoryRepository(),
    transcoder: testTranscoder({ durationMs: 20 }),
    assets: (shot) => path.join(dir, 'assets', shot.assetId),
    output,
  })
  const worker = mv.worker({ heartbeatMs: 50, progressIntervalMs: 1 }).start()
  stopWorker = () => worker.stop({ graceMs: 1000 })
  await writeTestClip(path.join(dir, 'assets', 'clip.bin'), {}, 300_000)
  const job = await mv.create({ projectId: 'p1', name: 'Café "final"', shots: ['clip.bin'] })
  record = await mv.waitFor(job.id, { pollMs: 20, timeoutMs: 20_000 })
  const key = record.output?.key ?? ''
  const stored = await output.stat(key)
  bytes = await output.read(key, { start: 0, end: (stored?.size ?? 1) - 1 })
  const thumbnail = await output.stat(record.thumbnailKey ?? '')
  proxy = await serveRoutes(mv)
  redirect = await serveRoutes(mv, {
    delivery: 'redirect',
    redirectTtlSec: 120,
    signingSecret: 'a secret of at least thirty-two bytes, for tests',
    authorize: (c) => c.req.header('x-user') === 'ok',
  })
  target = {
    videoUrl: jobPath(proxy, 'video'),
    bytes,
    mtimeMs: stored?.mtimeMs ?? 0,
    thumbnailSize: thumbnail?.size ?? -1,
  }
})
afterAll(async () => {
  await proxy?.close()
  await redirect?.close()
  await stopWorker?.()
  await mv?.close()
  await s3?.clear(prefix)
  await s3?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('proxy delivery from S3: the RFC 9110 checklist', () => {
  rangeChecklist(() => target)
})

describe('redirect delivery from S3', () => {
  const user = { 'x-user': 'ok' }

  it('answers /video with a 302 to a presigned URL that S3 serves, ranges included', async () => {
    const res = await request(jobPath(redirect, 'video'), { headers: user })
    expect(res.status).toBe(302)
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(res.body.length).toBe(0)
    const location = res.headers.location as string
    expect(location.startsWith(`${s3.endpoint}/`)).toBe(true)
    expect(location).toContain('X-Amz-Expires=120')
    const whole = await request(location)
    expect(whole.status).toBe(200)
    expect(whole.headers['content-type']).toBe('video/mp4')
    expect(whole.body.equals(bytes)).toBe(true)
    const range = await request(location, { headers: { Range: 'bytes=1000-1999' } })
    expect(range.status).toBe(206)
    expect(range.body.equals(bytes.subarray(1000, 2000))).toBe(true)
  })

  it('puts the Content-Disposition of a proxied download on the download’s URL', async () => {
    const proxied = await request(jobPath(proxy, 'download'), { method: 'HEAD' })
    const res = await request(jobPath(redirect, 'download'), { headers: user })
    expect(res.status).toBe(302)
    const fromS3 = await request(res.headers.location as string)
    expect(fromS3.status).toBe(200)
    expect(fromS3.headers['content-disposition']).toBe(proxied.headers['content-disposition'])
    expect(fromS3.headers['content-disposition']).toContain("filename*=UTF-8''Caf%C3%A9%20%22final%22_")
    expect(fromS3.body.equals(bytes)).toBe(true)
  })

  it('authorizes before it signs: a refused caller gets 403 and no URL', async () => {
    const res = await request(jobPath(redirect, 'video'), { headers: { 'x-user': 'no' } })
    expect(res.status).toBe(403)
    expect(res.headers.location).toBeUndefined()
  })

  it('accepts a signed URL of the record in place of authorize, and refuses a forged one', async () => {
    const listed = await request(`${redirect.url}/api/projects/p1/master-videos/${record.id}`, {
      headers: user,
    })
    const signed = (JSON.parse(listed.body.toString()) as { urls: { video: string } }).urls.video
    const res = await request(new URL(signed, redirect.url).href)
    expect(res.status).toBe(302)
    const forged = await request(
      new URL(signed.replace(/signature=[^&]+/, 'signature=AAAA'), redirect.url).href,
    )
    expect(forged.status).toBe(403)
  })

  it('still serves the thumbnail through Node', async () => {
    const res = await request(jobPath(redirect, 'thumbnail'), { headers: user })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('image/jpeg')
  })
})
