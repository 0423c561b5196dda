// A ladder in S3 (s3rver in a child process, or MASTERVIDEO_S3_ENDPOINT):
// proxied, a signed master playlist walks every file out of the bucket;
// with `delivery: 'redirect'`, playlists still come from the routes while
// renditions and segments are 302s to presigned URLs S3 serves.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { s3OutputStore } from '@mastervideo/adapter-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Fixture, startS3 } from '../../adapter-s3/test/s3-fixture.js'
import { json, request, serveRoutes, type TestServer } from './helpers.js'
import { type LadderFixture, ladderFixture, parsePlaylist } from './ladder-fixture.js'

const SECRET = 'a secret of at least thirty-two bytes, for tests'
let s3: S3Fixture
let prefix: string
let tempDir: string
let fx: LadderFixture
let proxy: TestServer
let redirect: TestServer
/** Signs the record's URLs without asking: what a host's page gets after its own authorization. */
let host: TestServer

beforeAll(async () => {
  s3 = await startS3()
  prefix = s3.uniquePrefix()
  tempDir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-s3-'))
  const output = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir })
  fx = await ladderFixture({ output })
  const authorize = () => false // nothing opens without a signed URL
  proxy = await serveRoutes(fx.mv, { signingSecret: SECRET, authorize })
  redirect = await serveRoutes(fx.mv, { signingSecret: SECRET, authorize, delivery: 'redirect' })
  host = await serveRoutes(fx.mv, { signingSecret: SECRET })
}, 120_000)
afterAll(async () => {
  await proxy?.close()
  await redirect?.close()
  await host?.close()
  await fx?.close()
  await s3?.clear(prefix)
  await s3?.stop()
  await rm(tempDir, { recursive: true, force: true })
})

/** The record's signed URLs (paths under the mount point, the same on every server). */
const urls = async () => json(await request(`${host.url}/api/projects/p1/master-videos/${fx.record.id}`)).urls

describe('HLS ladder from S3', () => {
  it('proxied: a signed master playlist walks every playlist and segment, bytes as stored', async () => {
    const master = `${proxy.url}${(await urls()).hls}`
    const manifest = parsePlaylist((await request(master)).body.toString('utf8'))
    let files = 1
    for (const variant of manifest.playlists ?? []) {
      const variantUrl = new URL(variant.uri, master).href
      const media = parsePlaylist((await request(variantUrl)).body.toString('utf8'))
      for (const uri of [media.segments[0]?.map?.uri as string, ...media.segments.map((s) => s.uri)]) {
        const res = await request(new URL(uri, variantUrl).href)
        expect(res.status, uri).toBe(200)
        expect(res.body.equals(await fx.bytes(uri))).toBe(true)
      }
      files += 1 + media.segments.length + 1
    }
    expect(files).toBe(fx.hlsKeys.length)
  })

  it('redirect: playlists from the routes, segments and renditions from presigned S3 URLs', async () => {
    const links = await urls()
    const master = `${redirect.url}${links.hls}`
    const playlist = await request(master)
    expect(playlist.status).toBe(200)
    const variant = parsePlaylist(playlist.body.toString('utf8')).playlists?.[0]?.uri as string
    const variantUrl = new URL(variant, master).href
    const media = await request(variantUrl)
    expect(media.status).toBe(200)
    const segment = parsePlaylist(media.body.toString('utf8')).segments[0]?.uri as string
    const moved = await request(new URL(segment, variantUrl).href)
    expect(moved.status).toBe(302)
    const location = moved.headers.location as string
    expect(location.startsWith(`${s3.endpoint}/`)).toBe(true)
    const fromS3 = await request(location)
    expect(fromS3.status).toBe(200)
    expect(fromS3.body.equals(await fx.bytes(segment))).toBe(true)

    const download = await request(`${redirect.url}${links.renditions['180p'].download}`)
    expect(download.status).toBe(302)
    const file = await request(download.headers.location as string)
    expect(file.status).toBe(200)
    expect(file.headers['content-disposition']).toContain(`_${fx.record.id}_180p.mp4`)
    expect(file.body.equals(await fx.bytes(fx.record.renditions[0]?.key as string))).toBe(true)
  })
})
