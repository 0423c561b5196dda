// The standalone server with MASTERVIDEO_S3_*: outputs are objects in the
// bucket (s3rver in a child process, or MASTERVIDEO_S3_ENDPOINT), and
// MASTERVIDEO_DELIVERY=redirect answers the video with a 302 to S3.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { silentLogger } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lavfiClip } from '../../adapter-s3/test/fixtures/lavfi-clip.js'
import { type S3Fixture, startS3 } from '../../adapter-s3/test/s3-fixture.js'
import { runDoctor } from '../src/commands/doctor.js'
import { deliverySetting, probeBucket, s3Client, s3Settings } from '../src/s3-config.js'
import { type RunningServer, startServer } from '../src/server/start-server.js'

describe('S3 settings from the environment', () => {
  it('are off without a bucket, and read every variable with one', () => {
    expect(s3Settings({})).toBeNull()
    expect(s3Settings({ MASTERVIDEO_S3_BUCKET: 'media' })).toEqual({
      bucket: 'media',
      prefix: 'master-videos',
      forcePathStyle: false,
    })
    expect(
      s3Settings({
        MASTERVIDEO_S3_BUCKET: 'media',
        MASTERVIDEO_S3_ENDPOINT: 'http://127.0.0.1:9000',
        MASTERVIDEO_S3_REGION: 'eu-west-3',
        MASTERVIDEO_S3_PREFIX: 'out',
        MASTERVIDEO_S3_ASSETS_PREFIX: 'clips',
      }),
    ).toEqual({
      bucket: 'media',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      prefix: 'out',
      assetsPrefix: 'clips',
      forcePathStyle: true,
    })
    expect(
      s3Settings({
        MASTERVIDEO_S3_BUCKET: 'b',
        MASTERVIDEO_S3_ENDPOINT: 'http://x',
        MASTERVIDEO_S3_FORCE_PATH_STYLE: '0',
      })?.forcePathStyle,
    ).toBe(false)
  })

  it('refuses an endpoint that is not a URL and an unknown delivery', () => {
    expect(() => s3Settings({ MASTERVIDEO_S3_BUCKET: 'b', MASTERVIDEO_S3_ENDPOINT: 'minio:9000' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
    expect(deliverySetting({})).toBe('proxy')
    expect(deliverySetting({ MASTERVIDEO_DELIVERY: 'Redirect' })).toBe('redirect')
    expect(() => deliverySetting({ MASTERVIDEO_DELIVERY: 'cdn' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
  })
})

describe('the standalone server on S3', () => {
  let s3: S3Fixture
  let prefix: string
  let dir: string
  let server: RunningServer
  const saved = { ...process.env }

  beforeAll(async () => {
    s3 = await startS3()
    prefix = s3.uniquePrefix().slice(0, -1)
    dir = await mkdtemp(path.join(tmpdir(), 'mv-cli-s3-'))
    await mkdir(path.join(dir, 'assets', 'p1'), { recursive: true })
    await lavfiClip(path.join(dir, 'assets', 'p1', 'a.mp4'))
    await lavfiClip(path.join(dir, 'assets', 'p1', 'b.mp4'), { source: 'smptebars', hz: 660 })
    Object.assign(process.env, {
      MASTERVIDEO_S3_BUCKET: s3.bucket,
      MASTERVIDEO_S3_ENDPOINT: s3.endpoint,
      MASTERVIDEO_S3_PREFIX: prefix,
      MASTERVIDEO_DELIVERY: 'redirect',
      ...(s3.kind === 's3rver' ? { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } : {}),
    })
    server = await startServer({
      dataDir: dir,
      port: 0,
      demo: false,
      logger: silentLogger,
      pollIntervalMs: 100,
    })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    process.env = saved
    await s3?.clear(`${prefix}/`)
    await s3?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the output to the bucket and redirects /video to it', async () => {
    const created = await fetch(new URL('api/projects/p1/master-videos', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cut', shots: ['a.mp4', 'b.mp4'] }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const record = await server.mv.waitFor(id, { pollMs: 100, timeoutMs: 60_000 })
    const key = record.output?.key as string
    expect(await s3.keys(`${prefix}/`)).toContain(`${prefix}/${key}`)
    const video = await fetch(new URL(`api/projects/p1/master-videos/${id}/video`, server.url), {
      redirect: 'manual',
    })
    expect(video.status).toBe(302)
    const location = video.headers.get('location') as string
    expect(location.startsWith(s3.endpoint)).toBe(true)
    const fromS3 = Buffer.from(await (await fetch(location)).arrayBuffer())
    expect(fromS3.length).toBe(record.output?.size)
    expect(fromS3.subarray(4, 8).toString('latin1')).toBe('ftyp')
  })

  it('probeBucket writes and deletes a probe object, and names a bucket it cannot reach', async () => {
    const settings = s3Settings() as NonNullable<ReturnType<typeof s3Settings>>
    expect(await probeBucket(s3Client(settings), settings)).toContain(`s3://${s3.bucket}/${prefix}/`)
    expect((await s3.keys(`${prefix}/.doctor`)).length).toBe(0)
    const missing = { ...settings, bucket: 'no-such-bucket-mv' }
    await expect(probeBucket(s3Client(missing), missing)).rejects.toThrow(/^s3:\/\/no-such-bucket-mv\//)
  })

  it('doctor checks that the bucket takes a write, and says which bucket failed', {
    timeout: 60_000,
  }, async () => {
    const passed = (await runDoctor({ data: dir })).find((c) => c.name === 'S3 bucket')
    expect(passed).toMatchObject({ ok: true })
    process.env.MASTERVIDEO_S3_BUCKET = 'no-such-bucket-mv'
    try {
      const failed = (await runDoctor({ data: dir })).find((c) => c.name === 'S3 bucket')
      expect(failed).toMatchObject({ ok: false, detail: expect.stringContaining('s3://no-such-bucket-mv/') })
    } finally {
      process.env.MASTERVIDEO_S3_BUCKET = s3.bucket
    }
  })
})
