// The transcoder contract again, with every clip probed by ffprobe (readHeaders: false);
// conformance.test.ts runs it with the default, the Node MP4 reader.
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { transcoderConformance } from '@mastervideo/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { makeClip } from './fixtures.js'

let cache: string
let source: string
beforeAll(async () => {
  cache = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-conf-headers-'))
  source = await makeClip(path.join(cache, 'source.mp4'), { durationSec: 1 })
})
afterAll(async () => {
  await rm(cache, { recursive: true, force: true })
})

transcoderConformance({
  name: 'ffmpegTranscoder (bundled ffmpeg, readHeaders: false)',
  create: () => ffmpegTranscoder({ readHeaders: false }),
  makeClips: async (dir, count) =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const file = path.join(dir, `clip-${i}.mp4`)
        await copyFile(source, file)
        return file
      }),
    ),
})
