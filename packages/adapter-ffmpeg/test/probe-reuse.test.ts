// What the SDK reads, and when it reads again: accepted probes are reused for
// unchanged files (plan() then concat(), a clip used twice), never for a file
// that changed; the output is read back whenever ffmpeg's own closing report
// does not account for it.
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { durations, FFMPEG, FFPROBE, fakeFfmpeg, makeClip } from './fixtures.js'

let dir: string
let a: string
let b: string // +faststart: a cut in its media data is found only by the check of its last packets
let c: string // a copy of b, cut short by the last test of the default reader

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-reuse-'))
  a = await makeClip(path.join(dir, 'a.mp4'))
  const plain = await makeClip(path.join(dir, 'plain.mp4'))
  b = path.join(dir, 'b.mp4')
  await execa(FFMPEG, ['-v', 'error', '-i', plain, '-c', 'copy', '-movflags', '+faststart', b])
  c = path.join(dir, 'c.mp4')
  await copyFile(b, c)
  // Probes of files changed in the last 2 s are not kept (file times tick too coarsely to tell a
  // rewrite in the same tick); wait that out so the clips count as settled.
  const changed = Math.max(...(await Promise.all([a, b, c].map(async (f) => (await stat(f)).ctimeMs))))
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, changed + 2100 - Date.now())))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** An ffprobe that logs the file it was asked about, then is the real one. */
async function countingFfprobe(name: string): Promise<{ path: string; calls: () => Promise<string[]> }> {
  const log = path.join(dir, `${name}.log`)
  const wrapper = await fakeFfmpeg(
    path.join(dir, name),
    `for last; do :; done\necho "$last" >> '${log}'\nexec '${FFPROBE}' "$@"`,
  )
  return {
    path: wrapper,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  }
}

const callsFor = (calls: string[], file: string) => calls.filter((c) => c === `file:${file}`).length

// These count ffprobe runs, so every clip goes to ffprobe (readHeaders: false);
// the default reads plain MP4 headers in Node and runs no ffprobe for them.
describe('probe reuse', () => {
  it('probes each clip once across plan(), concat() and a clip used twice', async () => {
    const ffprobe = await countingFfprobe('ffprobe-once')
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path, readHeaders: false })
    const inputs = [{ path: a }, { path: b }, { path: a }]
    const plan = await transcoder.plan(inputs)
    const out = path.join(dir, 'once.mp4')
    const result = await transcoder.concat({ inputs, output: out })
    expect(plan.strategy).toBe('copy')
    expect(result.strategy).toBe('copy')
    expect(plan.probes.map((p) => p.path)).toEqual([a, b, a])
    const calls = await ffprobe.calls()
    expect([callsFor(calls, a), callsFor(calls, b)]).toEqual([1, 1])
    // The output was accounted for by ffmpeg's closing report: not read back.
    expect(calls).toHaveLength(2)
    expect(Math.abs(result.durationSec - (await durations(out)).format)).toBeLessThan(0.05)
    expect(result.sizeBytes).toBe((await stat(out)).size)
  })

  it('probes a clip again once it changed, and refuses it when the change cut it short', async () => {
    // Tried: a same-size rewrite of some bytes (same length, new mtime), then
    // the file cut to 60 % after it had been accepted and remembered. (Runs last on b.)
    const ffprobe = await countingFfprobe('ffprobe-changed')
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path, readHeaders: false })
    await transcoder.plan([{ path: a }, { path: b }])
    await transcoder.plan([{ path: a }, { path: b }])
    expect(callsFor(await ffprobe.calls(), b)).toBe(1)

    const size = (await stat(b)).size
    const handle = await open(b, 'r+')
    await handle.write(Buffer.alloc(16), 0, 16, size - 64)
    await handle.close()
    expect((await stat(b)).size).toBe(size)
    await transcoder.plan([{ path: a }, { path: b }])
    expect(callsFor(await ffprobe.calls(), b)).toBe(2)

    await truncate(b, Math.floor(size * 0.6))
    const d = path.join(dir, 'changed-out')
    await mkdir(d)
    const error = await transcoder
      .concat({ inputs: [{ path: a }, { path: b }], output: path.join(d, 'out.mp4') })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toContain('truncated')
    expect(await readdir(d)).toEqual([])
  })
})

describe('probe reuse, headers read in Node (the default)', () => {
  it('joins plain clips, plan() then concat(), without one ffprobe run', async () => {
    const ffprobe = await countingFfprobe('ffprobe-none')
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path })
    const inputs = [{ path: a }, { path: c }, { path: a }]
    const plan = await transcoder.plan(inputs)
    const out = path.join(dir, 'none.mp4')
    const result = await transcoder.concat({ inputs, output: out })
    expect([plan.strategy, result.strategy]).toEqual(['copy', 'copy'])
    expect(await ffprobe.calls()).toEqual([])
    expect(Math.abs(result.durationSec - (await durations(out)).format)).toBeLessThan(0.05)
  })

  it('refuses a remembered clip once a change cut it short, by ffprobe', async () => {
    const ffprobe = await countingFfprobe('ffprobe-cut')
    const transcoder = ffmpegTranscoder({ ffprobePath: ffprobe.path })
    await transcoder.plan([{ path: a }, { path: c }])
    await truncate(c, Math.floor((await stat(c)).size * 0.6))
    const d = path.join(dir, 'cut-out')
    await mkdir(d)
    const error = await transcoder
      .concat({ inputs: [{ path: a }, { path: c }], output: path.join(d, 'out.mp4') })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toContain('truncated')
    expect(await ffprobe.calls()).toEqual([`file:${c}`])
    expect(await readdir(d)).toEqual([])
  })
})

describe('output check', () => {
  it('reads the output back when ffmpeg wrote no closing progress report', async () => {
    const ffprobe = await countingFfprobe('ffprobe-quiet')
    const quiet = await fakeFfmpeg(path.join(dir, 'ffmpeg-quiet'), `exec '${FFMPEG}' "$@" > /dev/null`)
    // Counts ffprobe runs: the output goes to ffprobe too.
    const transcoder = ffmpegTranscoder({ ffmpegPath: quiet, ffprobePath: ffprobe.path, readHeaders: false })
    const out = path.join(dir, 'quiet.mp4')
    const result = await transcoder.concat({ inputs: [{ path: a }, { path: a }], output: out })
    expect((await ffprobe.calls()).some((c) => c.includes('.quiet.mp4.') && c.endsWith('.partial'))).toBe(
      true,
    )
    expect(result.durationSec).toBe((await ffmpegTranscoder().probe(out)).durationSec)
    expect([result.width, result.height, result.sizeBytes]).toEqual([320, 240, (await stat(out)).size])
  })

  it('refuses an output whose size is not what ffmpeg reported: TRANSCODE_FAILED, nothing left', async () => {
    // Tried: a stand-in ffmpeg that exits 0 after a complete-looking progress
    // report, having written 9 bytes of garbage instead of a video.
    const liar = await fakeFfmpeg(
      path.join(dir, 'ffmpeg-liar'),
      `for last; do :; done\nprintf 'not a video' > "\${last#file:}"\nprintf 'out_time_us=2000000\\ntotal_size=500000\\nprogress=end\\n'`,
    )
    const d = path.join(dir, 'liar-out')
    await mkdir(d)
    const error = await ffmpegTranscoder({ ffmpegPath: liar })
      .concat({ inputs: [{ path: a }, { path: a }], output: path.join(d, 'out.mp4') })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TRANSCODE_FAILED')
    expect((error as Error).message).toContain('unreadable output')
    expect(await readdir(d)).toEqual([])
  })
})
