import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { beepOnsets, keyframeTimes } from './av-sync.js'
import { decodeErrors, durations, FFMPEG, makeClip, videoInfo } from './fixtures.js'

const transcoder = ffmpegTranscoder()
let dir: string
/** Three mutually compatible 1 s clips (320x240, 25 fps, AAC stereo), keyframe every 0.4 s. */
let same: string[]
let wide: string // 16:9 with audio, 1.5 s
let square: string // 4:3 at 30 fps without audio
let portrait: string // 320x240 stored, rotated 90 degrees: shown 240x320
let marker: string // 2 s, a white first frame and a beep at 0 s

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-concat-'))
  ;[same, wide, square, portrait, marker] = await Promise.all([
    Promise.all([0, 1, 2].map((i) => makeClip(path.join(dir, `same-${i}.mp4`), { gop: 10 }))),
    makeClip(path.join(dir, 'wide.mp4'), { width: 320, height: 180, durationSec: 1.5 }),
    makeClip(path.join(dir, 'square.mp4'), { fps: 30, audio: false }),
    makeClip(path.join(dir, 'portrait.mp4'), { rotate: 90 }),
    makeClip(path.join(dir, 'marker.mp4'), { durationSec: 2, markers: true }),
  ])
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function outDir(name: string): Promise<string> {
  const d = path.join(dir, name)
  await mkdir(d, { recursive: true })
  return d
}

function expectMonotonicEndingAtOne(progress: number[]): void {
  expect(progress.length).toBeGreaterThan(1)
  expect(progress.at(-1)).toBe(1)
  for (let i = 0; i < progress.length; i++) {
    expect(progress[i]).toBeGreaterThanOrEqual(0)
    expect(progress[i]).toBeLessThanOrEqual(1)
    if (i > 0) expect(progress[i]).toBeGreaterThan(progress[i - 1] as number)
  }
}

describe('auto strategy', () => {
  it('copies compatible clips: duration the sum within 0.1 s, faststart, clean decode', async () => {
    const out = path.join(await outDir('copy'), 'out.mp4')
    const progress: number[] = []
    const result = await transcoder.concat({
      inputs: same.map((p) => ({ path: p })),
      output: out,
      onProgress: (f) => progress.push(f),
    })
    const sum = (await Promise.all(same.map(durations))).reduce((s, d) => s + d.format, 0)
    expect(result.strategy).toBe('copy')
    expect(result.reason).toMatch(/^stream copy: all 3 clips match/)
    expect(Math.abs(result.durationSec - sum)).toBeLessThanOrEqual(0.1)
    expect(Math.abs((await durations(out)).format - sum)).toBeLessThanOrEqual(0.1)
    expect([result.width, result.height]).toEqual([320, 240])
    // +faststart: the index (moov) comes before the media data, so a browser can start playing.
    const bytes = await readFile(out)
    expect(bytes.indexOf('moov')).toBeGreaterThan(0)
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'))
    expect(await decodeErrors(out)).toBe('')
    expectMonotonicEndingAtOne(progress)
    expect(await readdir(path.dirname(out))).toEqual(['out.mp4'])
  })

  it('re-encodes heterogeneous clips to the first clip size: A/V within 0.2 s, clean decode, monotonic progress', async () => {
    const out = path.join(await outDir('reencode'), 'out.mp4')
    const progress: number[] = []
    const result = await transcoder.concat({
      inputs: [{ path: wide }, { path: square }, { path: portrait }],
      output: out,
      onProgress: (f) => progress.push(f),
    })
    expect(result.strategy).toBe('reencode')
    // The reason names the property and both clips.
    expect(result.reason).toContain(
      'size differs: clip 2 (square.mp4) has 320x240, clip 1 (wide.mp4) has 320x180',
    )
    expect([result.width, result.height]).toEqual([320, 180])
    expect(await videoInfo(out)).toMatchObject({ width: 320, height: 180 })
    const d = await durations(out)
    expect(Math.abs((d.video as number) - (d.audio as number))).toBeLessThan(0.2)
    // 1.5 + 1 + 1 s of clips, the silent one included.
    expect(Math.abs(d.format - 3.5)).toBeLessThan(0.15)
    expect(await decodeErrors(out)).toBe('')
    expectMonotonicEndingAtOne(progress)
  })

  it('applies rotation: a portrait phone clip comes out upright at 240x320 with no rotation flag', async () => {
    expect(await videoInfo(portrait)).toMatchObject({ width: 320, height: 240 })
    const out = path.join(await outDir('rotate'), 'out.mp4')
    const result = await transcoder.concat({
      inputs: [{ path: portrait }],
      output: out,
      strategy: 'reencode',
      profile: { preset: 'ultrafast' },
    })
    expect([result.width, result.height]).toEqual([240, 320])
    expect(await videoInfo(out)).toEqual({ width: 240, height: 320, rotation: 0 })
  })

  it('uses a configured target size and preset', async () => {
    const out = path.join(await outDir('profile'), 'out.mp4')
    const result = await transcoder.concat({
      inputs: [{ path: same[0] as string }, { path: square }],
      output: out,
      profile: { width: 256, height: 144, fps: 15, preset: 'ultrafast', crf: 30 },
    })
    expect(result.strategy).toBe('reencode')
    expect(result.reason).toContain('target 256x144 at 15 fps, libx264 ultrafast CRF 30')
    expect(await videoInfo(out)).toMatchObject({ width: 256, height: 144 })
  })
})

describe('forced strategies', () => {
  it('refuses a forced copy of incompatible clips: INPUT_INVALID naming the difference, no path, nothing written', async () => {
    const d = await outDir('forced-copy')
    const error = await transcoder
      .concat({
        inputs: [{ path: same[0] as string }, { path: square }],
        output: path.join(d, 'out.mp4'),
        strategy: 'copy',
      })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toMatch(
      /^These clips cannot be joined without re-encoding, because their frame rate differs: clip 2 \(.+\) is .+ fps, clip 1 \(.+\) is .+ fps\. Use the `auto` strategy/,
    )
    expect((error as Error).message).not.toContain(path.dirname(square))
    expect(await readdir(d)).toEqual([])
  })

  it('re-encodes compatible clips when asked', async () => {
    const out = path.join(await outDir('forced-reencode'), 'out.mp4')
    const result = await transcoder.concat({
      inputs: same.slice(0, 2).map((p) => ({ path: p })),
      output: out,
      strategy: 'reencode',
      profile: { preset: 'ultrafast' },
    })
    expect(result.strategy).toBe('reencode')
    expect(Math.abs(result.durationSec - 2)).toBeLessThan(0.1)
  })
})

describe('trims', () => {
  it('copy: trimEnd cuts exactly, trimStart on a keyframe (every 0.4 s here)', async () => {
    const out = path.join(await outDir('trim-copy'), 'out.mp4')
    const result = await transcoder.concat({
      inputs: [
        { path: same[0] as string, trimEnd: 0.6 },
        { path: same[1] as string, trimStart: 0.4 },
        { path: same[2] as string },
      ],
      output: out,
    })
    expect(result.strategy).toBe('copy')
    // Cutting AAC frames would overlap the audio at the joins: only the audio is re-encoded.
    expect(result.reason).toContain('video copied, audio re-encoded')
    expect(Math.abs(result.durationSec - (0.6 + 0.6 + 1))).toBeLessThanOrEqual(0.1)
    const d = await durations(out)
    expect(Math.abs((d.video as number) - (d.audio as number))).toBeLessThan(0.1)
    expect(await decodeErrors(out)).toBe('')
  })

  it('re-encode: trims are frame-accurate', async () => {
    const out = path.join(await outDir('trim-reencode'), 'out.mp4')
    const result = await transcoder.concat({
      inputs: [
        { path: wide, trimStart: 0.25, trimEnd: 0.75 },
        { path: square, trimStart: 0.3 },
      ],
      output: out,
      profile: { preset: 'ultrafast' },
    })
    expect(result.strategy).toBe('reencode')
    const d = await durations(out)
    expect(Math.abs(d.format - (0.5 + 0.7))).toBeLessThan(0.1)
    expect(Math.abs((d.video as number) - (d.audio as number))).toBeLessThan(0.2)
  })

  it('refuses a trim that starts past the clip end', async () => {
    const error = await transcoder
      .concat({ inputs: [{ path: wide, trimStart: 5 }], output: path.join(dir, 'never.mp4') })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toMatch(/trimStart 5 s is at or past its end/)
  })
})

describe('file names', () => {
  // A quote, a newline, Cyrillic and spaces in one name: a concat list cannot
  // carry the newline, so the copy reads it through a plain-named link.
  const hostileName = (i: number) => `it's a\nклип ${i}.mp4`

  it('copies clips whose paths hold a quote, a newline and Cyrillic', async () => {
    const d = await outDir("names copy 'ü'")
    const inputs = await Promise.all(
      same.slice(0, 2).map(async (p, i) => {
        const file = path.join(d, hostileName(i))
        await copyFile(p, file)
        return file
      }),
    )
    const out = path.join(d, 'выход "1".mp4')
    const result = await transcoder.concat({ inputs: inputs.map((p) => ({ path: p })), output: out })
    expect(result.strategy).toBe('copy')
    expect(Math.abs(result.durationSec - 2)).toBeLessThanOrEqual(0.1)
    expect((await readdir(d)).sort()).toEqual(
      [...inputs.map((p) => path.basename(p)), 'выход "1".mp4'].sort(),
    )
  })

  it('copies a clip with a quote but no newline straight through the escaped list', async () => {
    const d = await outDir('quote only')
    const file = path.join(d, "l'été \\ клип.mp4")
    await copyFile(same[0] as string, file)
    const plan = await transcoder.plan([{ path: file }, { path: file }])
    expect(plan.concatList).toContain(`file '${d}/l'\\''été \\ клип.mp4'`)
    const result = await transcoder.concat({
      inputs: [{ path: file }, { path: file }],
      output: path.join(d, 'o.mp4'),
    })
    expect(Math.abs(result.durationSec - 2)).toBeLessThanOrEqual(0.1)
  })

  it('re-encodes clips whose paths hold a quote, a newline and Cyrillic', async () => {
    const d = await outDir('names reencode')
    const file = path.join(d, hostileName(9))
    await copyFile(square, file)
    const result = await transcoder.concat({
      inputs: [{ path: same[0] as string }, { path: file }],
      output: path.join(d, 'out.mp4'),
      profile: { preset: 'ultrafast' },
    })
    expect(result.strategy).toBe('reencode')
    expect(Math.abs(result.durationSec - 2)).toBeLessThan(0.15)
  })
})

describe('joins on the copy path', () => {
  it('keeps audio within one AAC frame per join of the video at the last join of a 10-clip copy', async () => {
    const d = await outDir('drift')
    const out = path.join(d, 'out.mp4')
    const result = await transcoder.concat({
      inputs: Array.from({ length: 10 }, () => ({ path: marker })),
      output: out,
    })
    expect(result.strategy).toBe('copy')
    const [beeps, keys] = await Promise.all([beepOnsets(out, 0), keyframeTimes(out)])
    expect(beeps).toHaveLength(10)
    expect(keys).toHaveLength(10)
    const drift = Math.abs((beeps[9] as number) - (keys[9] as number))
    const oneAacFramePerJoin = (9 * 1024) / 48000
    // Measured with the bundled ffmpeg: about 0.042 s over 9 joins (AAC priming), under the 0.192 s bound.
    expect(drift).toBeLessThan(oneAacFramePerJoin)
  })
})

describe('plan', () => {
  it('is a dry run: strategy, reason, and the exact arguments concat runs', async () => {
    const copy = await transcoder.plan(
      same.map((p) => ({ path: p })),
      { output: '/srv/out.mp4' },
    )
    expect(copy.strategy).toBe('copy')
    expect(copy.args).toEqual(
      expect.arrayContaining(['-f', 'concat', '-c', 'copy', '+faststart', 'file:/srv/out.mp4']),
    )
    expect(copy.args.indexOf('-protocol_whitelist')).toBeLessThan(copy.args.indexOf('-i'))
    expect(copy.concatList?.split('\n')[0]).toBe('ffconcat version 1.0')
    expect(Math.abs(copy.totalSec - 3)).toBeLessThan(0.1)

    const d = await outDir('plan')
    const out = path.join(d, 'raw.mp4')
    const re = await transcoder.plan([{ path: wide }, { path: square }], {
      output: out,
      profile: { preset: 'ultrafast' },
    })
    expect(re.strategy).toBe('reencode')
    expect(re.reason).toContain('clip 2 (square.mp4)')
    expect(re.concatList).toBeUndefined()
    // Run by hand, the arguments produce the video the plan describes.
    await execa(FFMPEG, re.args)
    expect(await videoInfo(out)).toMatchObject({ width: 320, height: 180 })
    expect(Math.abs((await durations(out)).format - 2.5)).toBeLessThan(0.15)
  })
})

describe('thumbnail', () => {
  it('writes a JPEG of the requested width, and clamps a time past the end', async () => {
    const d = await outDir('thumb')
    const poster = path.join(d, 'poster.jpg')
    await transcoder.thumbnail(wide, poster, { atSec: 99, width: 160 })
    const bytes = await readFile(poster)
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    expect(await videoInfo(poster)).toMatchObject({ width: 160, height: 90 })
    expect(await readdir(d)).toEqual(['poster.jpg'])
  })
})
