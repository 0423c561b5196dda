// The service side of renditions: where create takes them, what a transcoder
// without a ladder does to such a job, and which files a retry and a delete
// remove. The ladder itself runs against real ffmpeg in adapter-ffmpeg.
import { testTranscoder } from '@mastervideo/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.cleanup()
  h = undefined
})

describe('renditions through the service', () => {
  it('create takes renditions and hls top-level or in encoding, and stores them in encoding', async () => {
    h = await harness(testTranscoder())
    const top = await h.mv.create({
      projectId: 'p1',
      name: 'top',
      shots: ['a.bin'],
      renditions: [{ name: '480p', height: 480 }],
      hls: true,
    })
    expect(top.encoding).toEqual({ renditions: [{ name: '480p', height: 480 }], hls: true })
    const inside = await h.mv.create({
      projectId: 'p1',
      name: 'inside',
      shots: ['a.bin'],
      encoding: { crf: 20, renditions: [{ name: '240p', height: 240 }], hls: { segmentSec: 2 } },
    })
    expect(inside.encoding).toEqual({
      crf: 20,
      renditions: [{ name: '240p', height: 240 }],
      hls: { segmentSec: 2 },
    })
    await expect(
      h.mv.create({ projectId: 'p1', name: 'x', shots: ['a.bin'], hls: true }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    })
  })

  it('a transcoder without a ladder: the job fails once, its checkpointed master stays named; delete removes it', async () => {
    h = await harness(testTranscoder())
    const worker = h.mv.worker({ sweepOlderThanMs: 0 }).start()
    try {
      const job = await h.mv.create({
        projectId: 'p1',
        name: 'no-ladder',
        shots: ['a.bin', 'b.bin'],
        renditions: [{ name: '120p', height: 120 }],
      })
      await expect(h.mv.waitFor(job.id, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'VALIDATION' })
      const failed = await h.mv.get(job.id)
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 })
      expect(failed.output?.key).toMatch(new RegExp(`^${job.id}_\\d+\\.mp4$`))
      expect((await h.outputFiles()).sort()).toEqual([failed.output?.key, failed.thumbnailKey].sort())

      // A retry with new options makes a new master: the old one is nobody's now and goes.
      const retried = await h.mv.retry(job.id, undefined, { encoding: { renditions: [] } })
      expect(retried.output).toBeNull()
      expect(await h.outputFiles()).toEqual([])
      const done = await h.mv.waitFor(job.id, { timeoutMs: 10_000 })
      expect(done.renditions).toEqual([])
      await h.mv.delete(job.id)
      expect(await h.outputFiles()).toEqual([])
    } finally {
      await worker.stop()
    }
  })
})
