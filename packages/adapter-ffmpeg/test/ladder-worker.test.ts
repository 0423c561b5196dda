// Jobs with renditions, end to end through the worker with real ffmpeg: the
// master is checkpointed, the ladder committed to the store and named on
// the record; a retry after a ladder failure does not make the master again;
// a cancel mid-ladder keeps the master and leaves no ladder file; delete
// removes every file; a one-shot job's master is the clip by stream copy.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  type LadderRequest,
  localOutputStore,
  type MasterVideos,
  memoryRepository,
  type OutputStore,
  TimeoutError,
} from '@mastervideo/core'
import { namedKeys } from '@mastervideo/core/adapter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FfmpegTranscoder, ffmpegTranscoder } from '../src/ffmpeg-transcoder.js'
import { makeClip } from './fixtures.js'

let dir: string
const clips: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-worker-'))
  clips.push(
    await makeClip(path.join(dir, 'a.mp4'), { width: 320, height: 240, fps: 25, durationSec: 1.5 }),
    await makeClip(path.join(dir, 'b.mp4'), { width: 352, height: 288, fps: 30, durationSec: 1 }),
    await makeClip(path.join(dir, 'c.mp4'), {
      width: 320,
      height: 180,
      fps: 24,
      durationSec: 1,
      audio: false,
    }),
  )
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The ffmpeg transcoder with its calls counted, and a hook before each ladder. */
function counted(beforeLadder?: (call: number, request: LadderRequest) => void) {
  const inner: FfmpegTranscoder = ffmpegTranscoder({ defaults: { preset: 'ultrafast' } })
  const calls = { concat: 0, ladder: 0 }
  const transcoder: FfmpegTranscoder = {
    ...inner,
    concat: (request) => {
      calls.concat++
      return inner.concat(request)
    },
    ladder: async (request) => {
      calls.ladder++
      beforeLadder?.(calls.ladder, request)
      return inner.ladder(request)
    },
  }
  return { transcoder, calls }
}

async function service(
  name: string,
  transcoder: FfmpegTranscoder,
): Promise<{ mv: MasterVideos; output: OutputStore; folder: string }> {
  const folder = path.join(dir, name)
  const output = localOutputStore(folder)
  const mv = createMasterVideos({
    repository: memoryRepository(),
    transcoder,
    output,
    assets: (shot) => shot.assetId,
  })
  return { mv, output, folder }
}

const ladder = {
  renditions: [
    { name: '180p', height: 180 },
    { name: '120p', height: 120 },
    { name: '720p', height: 720 },
  ],
  hls: { segmentSec: 1 },
}

describe('a job with renditions', () => {
  it('makes the master, then the renditions and HLS ladder, and names every file on the record', async () => {
    const { transcoder, calls } = counted()
    const { mv, output, folder } = await service('full', transcoder)
    const worker = mv.worker({ progressIntervalMs: 0, sweepOlderThanMs: 0 }).start()
    const progress: number[] = []
    mv.on('progress', (event) => progress.push(event.progress))
    try {
      const job = await mv.create({ projectId: 'p1', name: 'ladder', shots: clips, ...ladder })
      expect(job.encoding.renditions).toHaveLength(3)
      const done = await mv.waitFor(job.id, { timeoutMs: 120_000 })
      expect(calls).toEqual({ concat: 1, ladder: 1 })
      expect(done.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
        ['180p', 240, 180],
        ['120p', 160, 120],
      ])
      expect(done.skippedRenditions).toEqual([{ name: '720p', reason: expect.stringContaining('upscaled') }])
      expect(done.hls?.variants.map((v) => v.name)).toEqual(['180p', '120p'])
      expect(done.hls?.masterKey).toMatch(new RegExp(`^${job.id}_\\d{13}_hls\\.m3u8$`))
      const keys = namedKeys(done)
      for (const key of keys) expect(await output.stat(key), key).not.toBeNull()
      // Nothing else is in the store: no temporary file, no unnamed file.
      expect((await readdir(folder)).sort()).toEqual([...keys].sort())
      expect(progress).toEqual([...progress].sort((a, b) => a - b))

      await mv.delete(done.id)
      expect(await readdir(folder)).toEqual([])
    } finally {
      await worker.stop()
    }
  }, 180_000)

  it('retries a failed ladder from the checkpointed master without making it again', async () => {
    const { transcoder, calls } = counted((call) => {
      if (call === 1) throw new TimeoutError('the first ladder stalls')
    })
    const { mv, output } = await service('retry', transcoder)
    const worker = mv
      .worker({ progressIntervalMs: 0, sweepOlderThanMs: 0, backoff: { baseMs: 10, maxMs: 10 } })
      .start()
    try {
      const job = await mv.create({ projectId: 'p1', name: 'retry', shots: clips, ...ladder })
      const done = await mv.waitFor(job.id, { timeoutMs: 120_000 })
      expect(calls).toEqual({ concat: 1, ladder: 2 })
      expect(done.attempts).toBe(2)
      expect(done.renditions).toHaveLength(2)
      expect(await output.stat(done.output?.key as string)).not.toBeNull()
    } finally {
      await worker.stop()
    }
  }, 180_000)

  it('cancel mid-ladder: the master stays (the record names it), no ladder file is left', async () => {
    let cancel: () => void = () => {}
    const { transcoder } = counted((_, request) => {
      const report = request.onProgress
      request.onProgress = (f) => {
        report?.(f)
        if (f > 0) cancel()
      }
      request.profile = { preset: 'veryslow' }
    })
    const { mv, folder } = await service('cancel', transcoder)
    const worker = mv.worker({ progressIntervalMs: 0, sweepOlderThanMs: 0 }).start()
    try {
      const job = await mv.create({ projectId: 'p1', name: 'cancel', shots: clips, ...ladder })
      cancel = () => void mv.cancel(job.id).catch(() => {})
      await expect(mv.waitFor(job.id, { timeoutMs: 120_000 })).rejects.toMatchObject({ code: 'CANCELED' })
      await worker.stop()
      const record = await mv.get(job.id)
      expect(record.output).not.toBeNull()
      expect((await readdir(folder)).sort()).toEqual([...namedKeys(record)].sort())
      const scratch = (await readdir(tmpdir())).filter((n) =>
        n.startsWith(`mastervideo-ladder-${process.pid}-`),
      )
      expect(scratch).toEqual([])
    } finally {
      await worker.stop()
    }
  }, 180_000)

  it('one shot with renditions: the master is the clip by stream copy, the renditions its scaled copies', async () => {
    const { transcoder } = counted()
    const { mv } = await service('one-shot', transcoder)
    const worker = mv.worker({ progressIntervalMs: 0, sweepOlderThanMs: 0 }).start()
    try {
      const job = await mv.create({
        projectId: 'p1',
        name: 'scaled',
        shots: [clips[0] as string],
        renditions: [{ name: '120p', height: 120 }],
      })
      const done = await mv.waitFor(job.id, { timeoutMs: 120_000 })
      expect(done.output?.strategy).toBe('copy')
      expect(done.renditions).toMatchObject([{ name: '120p', width: 160, height: 120 }])
      expect(done.hls).toBeNull()
    } finally {
      await worker.stop()
    }
  }, 120_000)
})
