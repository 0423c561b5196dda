import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isMasterVideoError, TimeoutError } from '../errors.js'
import type { Transcoder } from '../transcoder/transcoder.js'
import { transcoderLadderConformance } from './transcoder-ladder-suite.js'

/** Options of {@link transcoderConformance}. */
export interface TranscoderConformanceOptions {
  /** Shown in the test names. */
  name?: string
  create: () => Transcoder | Promise<Transcoder>
  /** Writes `count` mutually compatible clips into `dir`; returns their paths. */
  makeClips: (dir: string, count: number) => Promise<string[]>
  /** Writes a file the transcoder must refuse as `INPUT_INVALID`. Default: a text file named `.mp4`. */
  makeInvalid?: (dir: string) => Promise<string>
  /** How far the output duration may differ from the sum of the inputs. Default 0.15 s. */
  durationToleranceSec?: number
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

/**
 * Registers vitest tests that check a {@link Transcoder} keeps the interface's
 * obligations: output only on success, monotonic progress ending at 1, typed
 * errors for missing and invalid inputs, aborts that stop the work and leave
 * nothing behind, a JPEG poster; and, when it has one, the ladder (see
 * {@link transcoderLadderConformance}).
 *
 * @example
 * ```ts
 * import { testTranscoder, transcoderConformance, writeTestClip } from '@mastervideo/core/testing'
 *
 * transcoderConformance({
 *   name: 'test transcoder',
 *   create: () => testTranscoder(),
 *   makeClips: (dir, n) => Promise.all(Array.from({ length: n }, (_, i) => writeTestClip(`${dir}/c${i}.bin`))),
 * })
 * ```
 */
export function transcoderConformance(options: TranscoderConformanceOptions): void {
  const tolerance = options.durationToleranceSec ?? 0.15
  let dir: string
  let transcoder: Transcoder

  const makeInvalid =
    options.makeInvalid ??
    (async (d: string) => {
      const file = path.join(d, 'not-a-video.mp4')
      await writeFile(file, 'this is plain text, not a video\n')
      return file
    })

  /** Files in `dir` other than the given inputs. */
  async function leftovers(inputs: string[]): Promise<string[]> {
    const names = await readdir(dir)
    return names.filter((name) => !inputs.includes(path.join(dir, name)))
  }

  describe(`transcoder conformance: ${options.name ?? 'transcoder'}`, () => {
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mv-transcoder-'))
      transcoder = await options.create()
    })
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('probes a clip: duration, container, streams', async () => {
      const [clip] = await options.makeClips(dir, 1)
      const probe = await transcoder.probe(clip as string)
      expect(probe.durationSec).toBeGreaterThan(0)
      expect(probe.container).not.toBe('')
      expect(probe.sizeBytes).toBe((await stat(clip as string)).size)
      expect(probe.streams.some((s) => s.type === 'video' && (s.width ?? 0) > 0)).toBe(true)
    })

    it('joins clips into the output, duration the sum, progress monotonic and ending at 1', async () => {
      const clips = await options.makeClips(dir, 3)
      const durations = await Promise.all(clips.map(async (c) => (await transcoder.probe(c)).durationSec))
      const out = path.join(dir, 'out.mp4')
      const progress: number[] = []
      const result = await transcoder.concat({
        inputs: clips.map((p) => ({ path: p })),
        output: out,
        onProgress: (f) => progress.push(f),
      })
      const sum = durations.reduce((a, b) => a + b, 0)
      expect(Math.abs(result.durationSec - sum)).toBeLessThanOrEqual(tolerance)
      expect(result.sizeBytes).toBe((await stat(out)).size)
      expect(Math.abs((await transcoder.probe(out)).durationSec - sum)).toBeLessThanOrEqual(tolerance)
      expect(['copy', 'copy-video', 'reencode']).toContain(result.strategy)
      expect(progress.length).toBeGreaterThan(0)
      expect(progress.at(-1)).toBe(1)
      for (let i = 0; i < progress.length; i++) {
        expect(progress[i]).toBeGreaterThanOrEqual(0)
        expect(progress[i]).toBeLessThanOrEqual(1)
        if (i > 0) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number)
      }
      expect(await leftovers(clips)).toEqual(['out.mp4'])
    })

    it('rejects a missing input with ASSET_NOT_FOUND and writes nothing', async () => {
      const clips = await options.makeClips(dir, 1)
      const out = path.join(dir, 'out.mp4')
      const error = await rejection(
        transcoder.concat({
          inputs: [{ path: clips[0] as string }, { path: path.join(dir, 'missing.mp4') }],
          output: out,
        }),
      )
      expect(isMasterVideoError(error) && error.code).toBe('ASSET_NOT_FOUND')
      expect(await leftovers(clips)).toEqual([])
    })

    it('rejects an input that is not a video with INPUT_INVALID and writes nothing', async () => {
      const clips = await options.makeClips(dir, 1)
      const bad = await makeInvalid(dir)
      const before = await readFile(bad)
      const out = path.join(dir, 'out.mp4')
      const error = await rejection(
        transcoder.concat({ inputs: [{ path: clips[0] as string }, { path: bad }], output: out }),
      )
      expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
      expect(await leftovers([...clips, bad])).toEqual([])
      expect(await readFile(bad)).toEqual(before)
    })

    it('stops when aborted mid-way: CANCELED, no output, nothing left behind', async () => {
      const clips = await options.makeClips(dir, 3)
      const out = path.join(dir, 'out.mp4')
      const controller = new AbortController()
      const pending = transcoder.concat({
        inputs: clips.map((p) => ({ path: p })),
        output: out,
        strategy: 'reencode',
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0) controller.abort()
        },
      })
      setTimeout(() => controller.abort(), 2000).unref()
      const error = await rejection(pending)
      expect(isMasterVideoError(error) && error.code).toBe('CANCELED')
      expect(await leftovers(clips)).toEqual([])
    })

    it('rejects with the signal reason when it is a mastervideo error', async () => {
      const clips = await options.makeClips(dir, 2)
      const controller = new AbortController()
      const reason = new TimeoutError('too slow')
      setTimeout(() => controller.abort(reason), 5)
      const error = await rejection(
        transcoder.concat({
          inputs: clips.map((p) => ({ path: p })),
          output: path.join(dir, 'out.mp4'),
          strategy: 'reencode',
          signal: controller.signal,
        }),
      )
      expect(error).toBe(reason)
      expect(await leftovers(clips)).toEqual([])
    })

    it('does nothing when the signal is already aborted', async () => {
      const clips = await options.makeClips(dir, 1)
      const error = await rejection(
        transcoder.concat({
          inputs: [{ path: clips[0] as string }],
          output: path.join(dir, 'out.mp4'),
          signal: AbortSignal.abort(),
        }),
      )
      expect(isMasterVideoError(error) && error.code).toBe('CANCELED')
      expect(await leftovers(clips)).toEqual([])
    })

    it('writes a JPEG poster frame', async () => {
      const clips = await options.makeClips(dir, 1)
      const poster = path.join(dir, 'poster.jpg')
      await transcoder.thumbnail(clips[0] as string, poster, { atSec: 0.5, width: 160 })
      const bytes = await readFile(poster)
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    })
  })
  transcoderLadderConformance(options)
}
