import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError, LeaseLostError } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { decodeErrors, FFMPEG, fakeFfmpeg, makeClips, processAlive } from './fixtures.js'

let dir: string
let clips: string[]
let n = 0

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-proc-'))
  clips = await makeClips(dir, 3)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A fresh output directory and a wrapper ffmpeg that writes its pid, then becomes the real ffmpeg. */
async function setup(): Promise<{ out: string; outDir: string; pidFile: string; wrapper: string }> {
  const outDir = path.join(dir, `case-${n++}`)
  await mkdir(outDir)
  const pidFile = path.join(dir, `pid-${n}`)
  const wrapper = await fakeFfmpeg(
    path.join(dir, `ffmpeg-${n}`),
    `echo $$ >> '${pidFile}'\nexec '${FFMPEG}' "$@"`,
  )
  return { out: path.join(outDir, 'out.mp4'), outDir, pidFile, wrapper }
}

async function pids(pidFile: string): Promise<number[]> {
  const text = await readFile(pidFile, 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).map(Number)
}

async function waitForPid(pidFile: string): Promise<number> {
  for (;;) {
    const [pid] = await pids(pidFile)
    if (pid) return pid
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A re-encode slow enough to be caught mid-way: 720p, the slowest preset. */
const slow = { width: 1280, height: 720, preset: 'veryslow' }

describe('stopping ffmpeg', () => {
  it('abort mid-encode: CANCELED, the ffmpeg process is gone, no file left', async () => {
    const { out, outDir, pidFile, wrapper } = await setup()
    const controller = new AbortController()
    const pending = ffmpegTranscoder({ ffmpegPath: wrapper }).concat({
      inputs: clips.map((p) => ({ path: p })),
      output: out,
      strategy: 'reencode',
      profile: slow,
      signal: controller.signal,
    })
    const pid = await waitForPid(pidFile)
    expect(processAlive(pid)).toBe(true)
    controller.abort()
    const error = await pending.catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('CANCELED')
    expect(processAlive(pid)).toBe(false)
    expect(await readdir(outDir)).toEqual([])
  })

  it('rejects with the signal reason when it is a mastervideo error (the worker lost its lease)', async () => {
    const { out, pidFile, wrapper } = await setup()
    const controller = new AbortController()
    const reason = new LeaseLostError('lease gone')
    const pending = ffmpegTranscoder({ ffmpegPath: wrapper }).concat({
      inputs: clips.map((p) => ({ path: p })),
      output: out,
      strategy: 'reencode',
      profile: slow,
      signal: controller.signal,
    })
    const pid = await waitForPid(pidFile)
    controller.abort(reason)
    expect(await pending.catch((e: unknown) => e)).toBe(reason)
    expect(processAlive(pid)).toBe(false)
  })

  it('timeoutMs: TIMEOUT, the ffmpeg process is gone, no file left', async () => {
    const { out, outDir, pidFile, wrapper } = await setup()
    const error = await ffmpegTranscoder({ ffmpegPath: wrapper, timeoutMs: 300 })
      .concat({ inputs: clips.map((p) => ({ path: p })), output: out, strategy: 'reencode', profile: slow })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TIMEOUT')
    expect((error as Error).message).toContain('took longer than 300 ms')
    const [pid] = await pids(pidFile)
    expect(pid).toBeGreaterThan(0)
    expect(processAlive(pid as number)).toBe(false)
    expect(await readdir(outDir)).toEqual([])
  })

  it('stall watchdog: an ffmpeg that hangs and ignores SIGTERM is killed: TIMEOUT, process gone', async () => {
    const { out, outDir, pidFile } = await setup()
    // Ignored signals stay ignored across exec: `sleep` shrugs off SIGTERM and needs the SIGKILL.
    const hanging = await fakeFfmpeg(
      path.join(dir, 'hang'),
      `trap '' TERM\necho $$ > '${pidFile}'\nexec sleep 30`,
    )
    const error = await ffmpegTranscoder({ ffmpegPath: hanging, stallTimeoutMs: 300, killGraceMs: 200 })
      .concat({ inputs: clips.map((p) => ({ path: p })), output: out })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TIMEOUT')
    expect((error as Error).message).toContain('stalled: no progress for 300 ms')
    const [pid] = await pids(pidFile)
    expect(processAlive(pid as number)).toBe(false)
    expect(await readdir(outDir)).toEqual([])
  })
})

describe('ffmpeg failures', () => {
  it('maps "No space left on device" to NO_SPACE', async () => {
    const { out, outDir } = await setup()
    const full = await fakeFfmpeg(
      path.join(dir, 'full'),
      `echo "[mp4 @ 0x1] Error writing trailer of ${out}: No space left on device" >&2\nexit 1`,
    )
    const error = await ffmpegTranscoder({ ffmpegPath: full })
      .concat({ inputs: clips.map((p) => ({ path: p })), output: out })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('NO_SPACE')
    expect(await readdir(outDir)).toEqual([])
  })

  it('maps any other failure to TRANSCODE_FAILED, the last stderr lines in details, not in the message', async () => {
    const { out } = await setup()
    const broken = await fakeFfmpeg(
      path.join(dir, 'broken'),
      `i=0; while [ $i -lt 30 ]; do echo "noise $i" >&2; i=$((i+1)); done\necho "Conversion failed: decoder exploded" >&2\nexit 1`,
    )
    const error = await ffmpegTranscoder({ ffmpegPath: broken })
      .concat({ inputs: clips.map((p) => ({ path: p })), output: out })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TRANSCODE_FAILED')
    expect(isMasterVideoError(error) && error.retryable).toBe(true)
    const stderr = (isMasterVideoError(error) && error.details?.stderr) as string[]
    expect(stderr).toContain('Conversion failed: decoder exploded')
    expect(stderr).toContain('noise 29')
    expect(stderr).not.toContain('noise 3')
    expect((error as Error).message).toBe('The join by stream copy failed (exit code 1)')
    expect(isMasterVideoError(error) && error.origin).toBe('@mastervideo/adapter-ffmpeg')
  })

  it('reports an ffmpeg that cannot be started as TRANSCODE_FAILED', async () => {
    const { out } = await setup()
    const error = await ffmpegTranscoder({ ffmpegPath: path.join(dir, 'no-such-ffmpeg') })
      .concat({ inputs: clips.map((p) => ({ path: p })), output: out })
      .catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TRANSCODE_FAILED')
    expect((error as Error).message).toContain('cannot run ffmpeg')
  })

  it('redoes a copy whose video timestamps ffmpeg had to patch, by re-encoding', async () => {
    const { out, pidFile } = await setup()
    // The stand-in reports the warning on stream copies only, then runs the real ffmpeg.
    const warns = await fakeFfmpeg(
      path.join(dir, 'warns'),
      `echo $$ >> '${pidFile}'\ncase "$*" in *"-f concat"*) echo "[mp4 @ 0x1] Non-monotonous DTS in output stream 0:0; previous: 10, current: 5; changing to 11." >&2;; esac\nexec '${FFMPEG}' "$@"`,
    )
    const result = await ffmpegTranscoder({ ffmpegPath: warns }).concat({
      inputs: clips.map((p) => ({ path: p })),
      output: out,
      profile: { preset: 'ultrafast' },
    })
    expect(result.strategy).toBe('reencode')
    expect(result.reason).toMatch(/^re-encode: the stream copy had non-monotonous timestamps/)
    expect(await pids(pidFile)).toHaveLength(2)
    expect(await decodeErrors(out)).toBe('')
  })

  it('redoes a copy whose audio timestamps ffmpeg had to patch, by copying the video and re-encoding the audio', async () => {
    const { out, pidFile } = await setup()
    const warns = await fakeFfmpeg(
      path.join(dir, 'warns-audio'),
      `echo $$ >> '${pidFile}'\ncase "$*" in *"-c copy"*) echo "[mp4 @ 0x1] Non-monotonous DTS in output stream 0:1; previous: 10, current: 5; changing to 11." >&2;; esac\nexec '${FFMPEG}' "$@"`,
    )
    const result = await ffmpegTranscoder({ ffmpegPath: warns }).concat({
      inputs: clips.map((p) => ({ path: p })),
      output: out,
    })
    expect(result.strategy).toBe('copy')
    expect(result.reason).toContain('video copied, audio re-encoded')
    expect(await pids(pidFile)).toHaveLength(2)
    expect(await decodeErrors(out)).toBe('')
  })
})
