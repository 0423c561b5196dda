// The rendition ladder against real ffmpeg: three mixed clips (sizes and
// frame rates differ) joined into a master, then two renditions and an HLS
// ladder in one pass; playlists read by m3u8-parser and opened by ffprobe
// under the file-only protocol whitelist.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/ffmpeg-transcoder.js'
import { FFPROBE, makeClip } from './fixtures.js'

interface Manifest {
  playlists?: Array<{ uri: string; attributes: Record<string, unknown> }>
  segments: Array<{ uri: string; duration: number; map?: { uri: string } }>
  endList?: boolean
}
const { Parser } = createRequire(import.meta.url)('m3u8-parser') as {
  Parser: new () => { push(text: string): void; end(): void; manifest: Manifest }
}
function parse(text: string): Manifest {
  const parser = new Parser()
  parser.push(text)
  parser.end()
  return parser.manifest
}

let dir: string
let master: string
const transcoder = ffmpegTranscoder({ defaults: { preset: 'ultrafast' } })

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-test-'))
  const clips = await Promise.all([
    makeClip(path.join(dir, 'a.mp4'), { width: 320, height: 240, fps: 25, durationSec: 1.5 }),
    makeClip(path.join(dir, 'b.mp4'), { width: 352, height: 288, fps: 30, durationSec: 1 }),
    makeClip(path.join(dir, 'c.mp4'), { width: 320, height: 180, fps: 24, durationSec: 1.5, audio: false }),
  ])
  master = path.join(dir, 'master.mp4')
  const joined = await transcoder.concat({
    inputs: clips.map((p) => ({ path: p })),
    output: master,
    profile: { preset: 'ultrafast' },
  })
  expect(joined).toMatchObject({ strategy: 'reencode', width: 320, height: 240 })
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function freshDir(name: string): Promise<string> {
  const out = path.join(dir, name)
  await mkdir(out)
  return out
}

describe('ffmpegTranscoder().ladder', () => {
  it('makes two renditions and an HLS ladder in one pass; never upscales', async () => {
    const out = await freshDir('ladder')
    const prefix = 'master_1_abcdefgh_1700000000000'
    const fractions: number[] = []
    const result = await transcoder.ladder({
      input: master,
      directory: out,
      prefix,
      renditions: [
        { name: '480p', height: 480 },
        { name: '180p', height: 180 },
        { name: '120p', height: 120, crf: 30 },
      ],
      hls: { segmentSec: 1 },
      onProgress: (f) => fractions.push(f),
    })
    expect(result.skipped).toEqual([{ name: '480p', reason: expect.stringContaining('never upscaled') }])
    expect(result.renditions.map((r) => [r.name, r.key, r.width, r.height])).toEqual([
      ['180p', `${prefix}_180p.mp4`, 240, 180],
      ['120p', `${prefix}_120p.mp4`, 160, 120],
    ])
    for (const r of result.renditions) {
      expect(r.size).toBeGreaterThan(1000)
      expect(r.bitrate).toBeGreaterThan(0)
      expect(r.durationSec).toBeCloseTo(4, 0)
    }
    expect(fractions.at(-1)).toBe(1)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))

    // Every file is in the directory under its key, nothing else is.
    const names = (await readdir(out)).sort()
    expect(names).toEqual(result.files.map((f) => f.key).sort())
    expect(result.files.at(-1)?.key).toBe(`${prefix}_hls.m3u8`)

    const hls = result.hls
    if (!hls) throw new Error('no HLS output')
    expect(hls.masterKey).toBe(`${prefix}_hls.m3u8`)
    const top = parse(await readFile(path.join(out, hls.masterKey), 'utf8'))
    expect(top.playlists?.map((p) => p.uri).sort()).toEqual([
      `${prefix}_hls_120p.m3u8`,
      `${prefix}_hls_180p.m3u8`,
    ])
    for (const playlist of top.playlists ?? []) {
      const a = playlist.attributes as {
        BANDWIDTH: number
        'AVERAGE-BANDWIDTH': string | number
        RESOLUTION: { width: number; height: number }
        CODECS: string
      }
      expect(a.BANDWIDTH).toBeGreaterThan(0)
      expect(Number(a['AVERAGE-BANDWIDTH'])).toBeGreaterThan(0)
      expect(Number(a['AVERAGE-BANDWIDTH'])).toBeLessThanOrEqual(a.BANDWIDTH)
      expect(a.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/)
      expect([240, 160]).toContain(a.RESOLUTION.width)
    }
    for (const variant of hls.variants) {
      const media = parse(await readFile(path.join(out, variant.playlistKey), 'utf8'))
      expect(media.endList).toBe(true)
      // Segment URIs are bare keys, so a route serving …/hls/<key> serves them.
      expect(media.segments.map((s) => s.uri)).toEqual(variant.segmentKeys)
      expect(media.segments[0]?.map?.uri).toBe(variant.initKey)
      expect(variant.segmentKeys[0]).toBe(`${prefix}_hls_${variant.name}_00001.m4s`)
      // Keyframes every second: all but the last segment last 1 s.
      for (const s of media.segments.slice(0, -1)) expect(s.duration).toBeCloseTo(1, 1)
    }
    // Both variants cut their segments on the same frames.
    const [first, second] = hls.variants
    expect(first?.segmentKeys.length).toBe(second?.segmentKeys.length)

    // ffprobe opens the master playlist with nothing but local files allowed.
    const probed = await execa(FFPROBE, [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-show_entries',
      'stream=codec_type,width,height',
      '-of',
      'json',
      path.join(out, hls.masterKey),
    ])
    const streams = (JSON.parse(probed.stdout) as { streams: Array<{ codec_type: string; height?: number }> })
      .streams
    expect(
      streams
        .filter((s) => s.codec_type === 'video')
        .map((s) => s.height)
        .sort(),
    ).toEqual([120, 180])
  }, 120_000)

  it('skips every rendition taller than the master and runs nothing', async () => {
    const out = await freshDir('none')
    const result = await transcoder.ladder({
      input: master,
      directory: out,
      prefix: 'x_1700000000000',
      renditions: [{ name: '720p', height: 720 }],
      hls: {},
    })
    expect(result).toMatchObject({ renditions: [], hls: null, files: [] })
    expect(result.skipped.map((s) => s.name)).toEqual(['720p'])
    expect(await readdir(out)).toEqual([])
  })

  it('stops on abort mid-ladder and leaves nothing in the directory', async () => {
    const out = await freshDir('abort')
    const controller = new AbortController()
    const started = transcoder.ladder({
      input: master,
      directory: out,
      prefix: 'y_1700000000000',
      renditions: [
        { name: '240p', height: 240 },
        { name: '180p', height: 180 },
      ],
      hls: true,
      profile: { preset: 'veryslow' },
      signal: controller.signal,
      onProgress: (f) => {
        if (f > 0) controller.abort()
      },
    })
    setTimeout(() => controller.abort(), 1500)
    await expect(started).rejects.toMatchObject({ code: 'CANCELED' })
    expect(await readdir(out)).toEqual([])
  }, 60_000)
})
