import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import { ladderKeys } from '../record/ladder-keys.js'
import type { Transcoder } from '../transcoder/transcoder.js'

/** What {@link transcoderLadderConformance} needs: the transcoder and a way to make a clip. */
export interface TranscoderLadderConformanceOptions {
  name?: string
  create: () => Transcoder | Promise<Transcoder>
  /** Writes `count` clips into `dir`; the first is used as the master. */
  makeClips: (dir: string, count: number) => Promise<string[]>
}

/**
 * Registers the tests of {@link Transcoder.ladder}, skipped for a transcoder
 * without one: renditions of the master's height or less are made under
 * their keys and nothing else is written; one taller is skipped with a
 * reason, never upscaled; an HLS ladder names its files by key; an abort
 * rejects and leaves the directory empty. `transcoderConformance` runs it.
 *
 * @example
 * ```ts
 * import { transcoderLadderConformance } from '@mastervideo/core/testing'
 * import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
 *
 * declare const makeClips: (dir: string, count: number) => Promise<string[]>
 * transcoderLadderConformance({ name: 'ffmpeg', create: () => ffmpegTranscoder(), makeClips })
 * ```
 */
export function transcoderLadderConformance(options: TranscoderLadderConformanceOptions): void {
  let dir: string
  let out: string
  let transcoder: Transcoder

  describe(`transcoder ladder conformance: ${options.name ?? 'transcoder'}`, () => {
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-'))
      out = path.join(dir, 'out')
      await mkdir(out)
      transcoder = await options.create()
    })
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('makes renditions under their keys, skips one taller than the master, writes nothing else', async (context) => {
      if (!transcoder.ladder) return context.skip()
      const [master] = await options.makeClips(dir, 1)
      const probe = await transcoder.probe(master as string)
      const video = probe.streams.find((s) => s.type === 'video')
      const height = video?.height ?? 0
      const half = Math.max(32, Math.round(height / 4) * 2)
      const fractions: number[] = []
      const result = await transcoder.ladder({
        input: master as string,
        directory: out,
        prefix: 'master_1_abcdefgh_1700000000000',
        renditions: [
          { name: 'small', height: half },
          { name: 'taller', height: Math.min(4320, height * 2 + 2) },
        ],
        hls: true,
        onProgress: (f) => fractions.push(f),
      })
      const keys = ladderKeys('master_1_abcdefgh_1700000000000', 'small')
      expect(result.renditions.map((r) => [r.name, r.key, r.height])).toEqual([['small', keys.video, half]])
      expect(result.skipped.map((s) => s.name)).toEqual(['taller'])
      expect(result.skipped[0]?.reason).not.toBe('')
      expect(result.hls?.masterKey).toBe(ladderKeys.master('master_1_abcdefgh_1700000000000'))
      expect(result.hls?.variants[0]).toMatchObject({ playlistKey: keys.playlist, initKey: keys.init })
      expect(result.hls?.variants[0]?.segmentKeys[0]).toBe(keys.segment(1))
      expect((await readdir(out)).sort()).toEqual(result.files.map((f) => f.key).sort())
      expect(fractions.at(-1)).toBe(1)
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    })

    it('stops when aborted: CANCELED, nothing left in the directory', async (context) => {
      if (!transcoder.ladder) return context.skip()
      const [master] = await options.makeClips(dir, 1)
      const controller = new AbortController()
      const error = await transcoder
        .ladder({
          input: master as string,
          directory: out,
          prefix: 'master_1_abcdefgh_1700000000000',
          renditions: [{ name: 'small', height: 32 }],
          hls: true,
          signal: controller.signal,
          onProgress: () => controller.abort(),
        })
        .then(
          () => null,
          (e: unknown) => e,
        )
      // A ladder quicker than its first progress report may finish: then its files stand.
      if (error === null) return
      expect(isMasterVideoError(error) && error.code).toBe('CANCELED')
      expect(await readdir(out)).toEqual([])
    })
  })
}
