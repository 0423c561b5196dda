// The Node reader of MP4 boxes (readHeaders) against ffprobe: the same probe
// for the plain clips it reads, ffprobe (and its refusals) for everything
// else; and cold ffprobe runs overlap instead of queueing.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ProbeResult } from '@mastervideo/core'
import { isMasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { readMp4Probe } from '../src/mp4-header.js'
import { FFMPEG, FFPROBE, fakeFfmpeg, makeClip } from './fixtures.js'

let dir: string
const clips: Record<string, string> = {}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-header-'))
  const specs = {
    plain: {},
    silent: { audio: false },
    rotated: { rotate: 90 },
    hd: { width: 1280, height: 720, fps: 30, durationSec: 2 },
    cropped: { width: 322, height: 182, fps: 24, gop: 12 },
  }
  await Promise.all(
    Object.entries(specs).map(async ([name, spec]) => {
      clips[name] = await makeClip(path.join(dir, `${name}.mp4`), spec)
    }),
  )
  // B-frames (an edit list shifting the video), 29.97 fps, 44.1 kHz mono; Main profile with a 4:3 SAR.
  clips.bframes = path.join(dir, 'bframes.mp4')
  await execa(FFMPEG, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30000/1001:duration=1'],
    ...['-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=1'],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ac',
      '1',
      clips.bframes,
    ],
  ])
  clips.sar = path.join(dir, 'sar.mp4')
  await execa(FFMPEG, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1', '-vf', 'setsar=4/3'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-pix_fmt', 'yuv420p', clips.sar],
  ])
  clips.faststart = path.join(dir, 'faststart.mp4')
  await execa(FFMPEG, [
    '-v',
    'error',
    '-i',
    clips.plain as string,
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    clips.faststart,
  ])
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const quick = async (file: string) => readMp4Probe(file, file, (await stat(file)).size)

/** A probe with durations rounded to the millisecond (ffprobe prints six decimals). */
function rounded(probe: ProbeResult | undefined) {
  if (!probe) return probe
  const ms = (n: number | undefined) => (n === undefined ? n : Math.round(n * 1000))
  return {
    ...probe,
    durationSec: ms(probe.durationSec),
    streams: probe.streams.map((s) => ({ ...s, durationSec: ms(s.durationSec) })),
  }
}

/** An ffprobe that logs the file it was asked about and when it started and ended, then is the real one. */
async function loggingFfprobe(
  name: string,
  delaySec = 0,
): Promise<{ path: string; lines: () => Promise<string[]> }> {
  const log = path.join(dir, `${name}.log`)
  const wrapper = await fakeFfmpeg(
    path.join(dir, name),
    [
      'for last; do :; done',
      `echo "start $(date +%s%N) $last" >> '${log}'`,
      `sleep ${delaySec}`,
      `'${FFPROBE}' "$@"`,
      'code=$?',
      `echo "end $(date +%s%N) $last" >> '${log}'`,
      'exit $code',
    ].join('\n'),
  )
  return {
    path: wrapper,
    lines: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  }
}

describe('MP4 header reader', () => {
  it('reads what ffprobe reads for plain H.264/AAC clips (silent, rotated, 720p, cropped, B-frames, 29.97 fps, mono 44.1 kHz, SAR 4:3, faststart)', async () => {
    const transcoder = ffmpegTranscoder()
    for (const [name, file] of Object.entries(clips)) {
      const fromFfprobe = await transcoder.probe(file)
      expect({ name, probe: rounded(await quick(file)) }).toEqual({ name, probe: rounded(fromFfprobe) })
    }
  })

  it('leaves to ffprobe what it does not read: text, HTML, playlists, other containers, cut files', async () => {
    const whole = await readFile(clips.faststart as string)
    const moovAtEnd = await readFile(clips.plain as string)
    const others: Record<string, string | Buffer> = {
      'text.mp4': 'not a video, just words\n',
      'page.mp4': '<!doctype html><html><body>hello</body></html>\n',
      'playlist.mp4': '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n/etc/passwd\n#EXT-X-ENDLIST\n',
      'list.mp4': 'ffconcat version 1.0\nfile /etc/passwd\n',
      'cut-media.mp4': whole.subarray(0, Math.floor(whole.length * 0.6)),
      'cut-index.mp4': moovAtEnd.subarray(0, Math.floor(moovAtEnd.length / 2)),
      'tail-cut.mp4': whole.subarray(0, whole.length - 1),
      // A clip followed by a thousand empty boxes: no plain clip has that many, each would cost a read.
      'many-boxes.mp4': Buffer.concat([
        whole,
        Buffer.from('00000008free'.repeat(1000).replace(/free/g, '66726565'), 'hex'),
      ]),
    }
    for (const [name, body] of Object.entries(others)) {
      const file = path.join(dir, name)
      await writeFile(file, body)
      expect({ name, probe: await quick(file) }).toEqual({ name, probe: undefined })
    }
    const mkv = path.join(dir, 'clip.mkv')
    await execa(FFMPEG, ['-v', 'error', '-i', clips.plain as string, '-c', 'copy', mkv])
    const audioOnly = path.join(dir, 'audio.mp4')
    await execa(FFMPEG, ['-v', 'error', '-i', clips.plain as string, '-vn', '-c', 'copy', audioOnly])
    const fullRange = path.join(dir, 'full-range.mp4')
    await execa(FFMPEG, [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuvj420p', fullRange],
    ])
    // A data reference to another file: the samples would be read from elsewhere.
    const external = path.join(dir, 'external.mp4')
    const bytes = Buffer.from(whole)
    const url = bytes.indexOf('url ', bytes.indexOf('dref'), 'latin1')
    expect(url).toBeGreaterThan(0)
    bytes[url + 7] = 0 // clear the self-contained flag
    await writeFile(external, bytes)
    for (const file of [mkv, audioOnly, fullRange, external]) {
      expect({ file: path.basename(file), probe: await quick(file) }).toEqual({
        file: path.basename(file),
        probe: undefined,
      })
    }
  })

  it('never throws on a damaged index: 300 clips with one moov byte changed each read or leave to ffprobe', async () => {
    const whole = await readFile(clips.faststart as string)
    const moov = whole.indexOf('moov', 0, 'latin1') - 4
    const length = whole.readUInt32BE(moov)
    let seed = 16
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const file = path.join(dir, 'damaged.mp4')
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(whole)
      bytes[moov + 8 + Math.floor(random() * (length - 8))] = Math.floor(random() * 256)
      await writeFile(file, bytes)
      const probe = await quick(file)
      if (probe) expect(probe.streams.some((s) => s.type === 'video')).toBe(true)
    }
  })
})

describe('readHeaders (the default)', () => {
  it('joins plain clips cold without running ffprobe, and keeps ffprobe refusals for the rest', async () => {
    const ffprobe = await loggingFfprobe('ffprobe-headers')
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path })
    const out = path.join(dir, 'headers-out.mp4')
    const result = await transcoder.concat({
      inputs: [{ path: clips.plain as string }, { path: clips.faststart as string }],
      output: out,
    })
    expect(result.strategy).toBe('copy')
    expect(await ffprobe.lines()).toEqual([])

    const text = path.join(dir, 'notes.mp4')
    await writeFile(text, 'not a video, just words\n')
    const error = await transcoder
      .concat({ inputs: [{ path: clips.plain as string }, { path: text }], output: path.join(dir, 'no.mp4') })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toBe('"notes.mp4" is not a video we accept: ffprobe cannot read it')

    const playlist = path.join(dir, 'playlist.mp4')
    await writeFile(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n/etc/passwd\n#EXT-X-ENDLIST\n')
    const refused = await transcoder
      .concat({
        inputs: [{ path: clips.plain as string }, { path: playlist }],
        output: path.join(dir, 'no.mp4'),
      })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(refused) && refused.code).toBe('INPUT_INVALID')

    const whole = await readFile(clips.faststart as string)
    const cut = path.join(dir, 'cut.mp4')
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    const truncated = await transcoder.probe(cut).catch((e: unknown) => e)
    expect((truncated as Error).message).toContain('truncated')
    expect((await ffprobe.lines()).filter((l) => l.startsWith('start')).map((l) => l.split(' ')[2])).toEqual([
      `file:${text}`,
      `file:${playlist}`,
      `file:${cut}`,
    ])
  })
})

describe('cold probes', () => {
  it('run side by side: every clip is being probed before the first probe ends', async () => {
    const ffprobe = await loggingFfprobe('ffprobe-overlap', 0.3)
    // Every clip to ffprobe: this counts its runs.
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path, readHeaders: false })
    const files = ['plain', 'silent', 'rotated'].map((name) => clips[name] as string)
    await transcoder.plan(files.map((file) => ({ path: file })))
    const events = (await ffprobe.lines()).map((line) => line.split(' '))
    const starts = events.filter(([kind]) => kind === 'start').map(([, ns]) => BigInt(ns as string))
    const firstEnd = events.find(([kind]) => kind === 'end')?.[1] as string
    expect(starts).toHaveLength(3)
    for (const start of starts) expect(start).toBeLessThan(BigInt(firstEnd))
  })
})
