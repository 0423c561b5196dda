// A job with renditions and an HLS ladder whose files go to S3: the master
// is committed (uploaded) and checkpointed, the ladder is made from a
// download of it, every rendition, playlist and segment is uploaded under
// its flat key, and delete removes every one of them.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, memoryRepository, TimeoutError } from '@mastervideo/core'
import { namedKeys } from '@mastervideo/core/adapter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../../adapter-ffmpeg/src/ffmpeg-transcoder.js'
import { makeClip } from '../../adapter-ffmpeg/test/fixtures.js'
import { s3OutputStore } from '../src/index.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

let s3: S3Fixture
let dir: string
beforeAll(async () => {
  s3 = await startS3()
  dir = await mkdtemp(path.join(tmpdir(), 'mv-s3-ladder-'))
}, 60_000)
afterAll(async () => {
  await s3?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('a ladder in S3', () => {
  it('uploads every file of the ladder under its key, and delete removes them all', async () => {
    const clips = [
      await makeClip(path.join(dir, 'a.mp4'), { width: 320, height: 240, fps: 25, durationSec: 1.5 }),
      await makeClip(path.join(dir, 'b.mp4'), { width: 320, height: 180, fps: 30, durationSec: 1 }),
    ]
    const prefix = s3.uniquePrefix()
    const store = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir: dir })
    // The ladder reads the master from a link kept before the upload, not from a download.
    const reads: string[] = []
    const output = {
      ...store,
      createReadStream: (key: string, range?: { start: number; end: number }) => {
        reads.push(key)
        return store.createReadStream(key, range)
      },
    }
    const mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder: ffmpegTranscoder({ defaults: { preset: 'ultrafast' } }),
      output,
      assets: (shot) => shot.assetId,
    })
    const worker = mv.worker({ sweepOlderThanMs: 0 }).start()
    try {
      const job = await mv.create({
        projectId: 'p1',
        name: 'ladder',
        shots: clips,
        renditions: [
          { name: '180p', height: 180 },
          { name: '120p', height: 120 },
        ],
        hls: { segmentSec: 1 },
      })
      const done = await mv.waitFor(job.id, { timeoutMs: 120_000 })
      expect(done.renditions.map((r) => r.name)).toEqual(['180p', '120p'])
      expect(done.hls?.variants).toHaveLength(2)
      expect(reads).toEqual([])
      const keys = [...namedKeys(done)].map((key) => `${prefix}${key}`).sort()
      expect((await s3.keys(prefix)).sort()).toEqual(keys)
      const playlist = await output.createReadStream(done.hls?.masterKey as string)
      let text = ''
      for await (const chunk of playlist) text += chunk
      expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=')

      await mv.delete(job.id)
      expect(await s3.keys(prefix)).toEqual([])
    } finally {
      await worker.stop()
      await s3.clear(prefix)
    }
  }, 180_000)

  it('a retry after a failed ladder downloads the checkpointed master instead of making it again', async () => {
    const clip = await makeClip(path.join(dir, 'r.mp4'), { width: 320, height: 240, durationSec: 1 })
    const prefix = s3.uniquePrefix()
    const store = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir: dir })
    const reads: string[] = []
    const output = {
      ...store,
      createReadStream: (key: string, range?: { start: number; end: number }) => {
        reads.push(key)
        return store.createReadStream(key, range)
      },
    }
    const inner = ffmpegTranscoder({ defaults: { preset: 'ultrafast' } })
    const calls = { concat: 0, ladder: 0 }
    const transcoder = {
      ...inner,
      concat: (request: Parameters<typeof inner.concat>[0]) => {
        calls.concat++
        return inner.concat(request)
      },
      ladder: (request: Parameters<typeof inner.ladder>[0]) => {
        calls.ladder++
        if (calls.ladder === 1) return Promise.reject(new TimeoutError('the first ladder stalls'))
        return inner.ladder(request)
      },
    }
    const mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder,
      output,
      assets: (shot) => shot.assetId,
    })
    const worker = mv.worker({ sweepOlderThanMs: 0, backoff: { baseMs: 10, maxMs: 10 } }).start()
    try {
      const job = await mv.create({
        projectId: 'p1',
        name: 'retry',
        shots: [clip],
        renditions: [{ name: '120p', height: 120 }],
      })
      const done = await mv.waitFor(job.id, { timeoutMs: 120_000 })
      expect(calls).toEqual({ concat: 1, ladder: 2 })
      expect(reads).toEqual([done.output?.key])
      expect((await s3.keys(prefix)).sort()).toEqual(
        [...namedKeys(done)].map((key) => `${prefix}${key}`).sort(),
      )
    } finally {
      await worker.stop()
      await s3.clear(prefix)
    }
  }, 180_000)
})
