import { stat } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import type { MasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import {
  abortError,
  ffmpegFailure,
  reportsNoSpace,
  throwIfAborted,
  timedOut,
  transcodeFailed,
} from './errors.js'
import { guardAgainstOrphaning, OWN_PROCESS_GROUP } from './process-guard.js'
import { type ProgressBlock, progressParser } from './progress-parser.js'

/** How one ffmpeg run is watched. */
export interface FfmpegRunOptions {
  ffmpeg: string
  args: string[]
  /** Names the run in error messages (`join by stream copy`). */
  what: string
  /** Seconds of output expected, for the progress fraction; 0 when unknown. */
  totalSec: number
  signal?: AbortSignal | undefined
  /** The whole run's limit; none when undefined. */
  timeoutMs?: number | undefined
  /** Longest time without ffmpeg advancing; none when undefined. */
  stallTimeoutMs?: number | undefined
  /**
   * The file ffmpeg writes. Any change of its size or modification time
   * counts as advancing: the `+faststart` pass rewrites the whole file after
   * the last progress line, and on a slow disk that takes minutes.
   */
  watchFile?: string | undefined
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number | undefined
  /** ffmpeg's working directory (relative output names land there). Default: this process's. */
  cwd?: string | undefined
  /** Fraction of this run done (0..1), not necessarily monotonic. */
  onProgress?: ((fraction: number) => void) | undefined
}

/** What a successful run leaves to look at. */
export interface FfmpegRunOutcome {
  /** The last lines ffmpeg wrote to stderr (warnings and errors only). */
  stderrTail: string[]
  /** Output streams (0 video, 1 audio) whose timestamps ffmpeg had to patch: a copied file would play badly. */
  nonMonotonous: Set<number>
  /**
   * ffmpeg's closing progress block (`progress=end`), written after the file
   * is finished: output time and bytes as ffmpeg counted them. Absent when
   * ffmpeg wrote none (a build without `-progress`, a stand-in binary).
   */
  final?: ProgressBlock
}

const TAIL_LINES = 20
const MAX_LINE = 500
const NON_MONOTONOUS = /non[- ]monoton\w* DTS in output stream \d+:(\d+)/i

/**
 * Runs ffmpeg once, without a shell, and watches it: progress from
 * `-progress pipe:1`, the stderr tail kept in a small ring (never the whole
 * log, so memory stays flat however long the run), and three ways to stop it
 * (the caller's signal, the overall timeout, the stall watchdog), each of
 * which sends SIGTERM, then SIGKILL after a grace period, and waits for the
 * process to be gone before the promise settles.
 *
 * On POSIX ffmpeg runs in its own process group: Ctrl-C in a terminal, or a
 * SIGTERM to the host's process group (PM2, a shell's job control), reaches
 * the host, which stops its jobs gracefully and stops ffmpeg itself, instead
 * of ffmpeg dying at once and the job failing. A small guard process kills
 * ffmpeg if the host dies without doing so (SIGKILL, a crash).
 */
export async function runFfmpeg(options: FfmpegRunOptions): Promise<FfmpegRunOutcome> {
  const { signal } = options
  throwIfAborted(signal)
  const stderrTail: string[] = []
  let partialLine = ''
  const nonMonotonous = new Set<number>()
  let stopReason: MasterVideoError | undefined

  const child = execa(options.ffmpeg, options.args, {
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // `stop` below sends SIGTERM, then SIGKILL after the grace, to the whole group.
    forceKillAfterDelay: false,
    detached: OWN_PROCESS_GROUP,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  })
  const guard = OWN_PROCESS_GROUP ? guardAgainstOrphaning(child.pid) : null

  // ffmpeg leads its own group: signal the group, so a wrapper script's children stop too.
  const signalAll = (sig: NodeJS.Signals) => {
    if (OWN_PROCESS_GROUP && child.pid !== undefined) {
      try {
        process.kill(-child.pid, sig)
        return
      } catch {
        // Gone already, or no group: fall back to the process itself.
      }
    }
    child.kill(sig)
  }
  let forceKill: NodeJS.Timeout | undefined
  const stop = (reason: MasterVideoError) => {
    stopReason ??= reason
    signalAll('SIGTERM')
    forceKill ??= setTimeout(() => signalAll('SIGKILL'), options.killGraceMs ?? 2000)
  }

  let lastAdvance = performance.now()
  let bestTime = -1
  let bestSize = -1
  let final: ProgressBlock | undefined
  const parse = progressParser((block) => {
    if (block.end) final = block
    const time = block.outTimeSec ?? -1
    const size = block.totalSize ?? -1
    if (time > bestTime || size > bestSize) lastAdvance = performance.now()
    bestTime = Math.max(bestTime, time)
    bestSize = Math.max(bestSize, size)
    if (options.totalSec > 0 && block.outTimeSec !== undefined) {
      options.onProgress?.(Math.min(1, Math.max(0, block.outTimeSec / options.totalSec)))
    }
  })
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => parse(chunk))
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partialLine + chunk).split(/\r?\n|\r/)
    partialLine = (lines.pop() ?? '').slice(0, MAX_LINE)
    for (const line of lines) {
      if (line.trim() === '') continue
      const patched = NON_MONOTONOUS.exec(line)
      if (patched) nonMonotonous.add(Number(patched[1]))
      stderrTail.push(line.slice(0, MAX_LINE))
      if (stderrTail.length > TAIL_LINES) stderrTail.shift()
    }
  })

  const onAbort = () => stop(abortError(signal as AbortSignal))
  signal?.addEventListener('abort', onAbort, { once: true })
  const timers: NodeJS.Timeout[] = []
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
    const limit = options.timeoutMs
    timers.push(setTimeout(() => stop(timedOut(`The ${options.what} took longer than ${limit} ms`)), limit))
  }
  if (options.stallTimeoutMs !== undefined && options.stallTimeoutMs > 0) {
    const limit = options.stallTimeoutMs
    const { watchFile } = options
    let seen = ''
    let checking = false
    const check = async () => {
      if (checking) return
      checking = true
      try {
        if (watchFile !== undefined) {
          const info = await stat(watchFile).catch(() => null)
          const now = info ? `${info.size}:${info.mtimeMs}` : ''
          if (now !== seen) {
            seen = now
            lastAdvance = performance.now()
          }
        }
        if (performance.now() - lastAdvance > limit) {
          stop(timedOut(`The ${options.what} stalled: no progress for ${limit} ms`))
        }
      } finally {
        checking = false
      }
    }
    timers.push(setInterval(() => void check(), Math.max(50, Math.min(1000, limit / 4))))
  }

  try {
    const result = await child
    if (partialLine.trim() !== '') stderrTail.push(partialLine)
    if (stopReason) throw stopReason
    if (result.exitCode === undefined && !result.signal) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code
      throw transcodeFailed(`The server cannot run ffmpeg${code ? ` (${code})` : ''}`, {
        cause: result.cause,
        details: { ffmpeg: options.ffmpeg, error: result.shortMessage },
      })
    }
    if (result.exitCode !== 0 || reportsNoSpace(stderrTail)) {
      const exit = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`
      throw ffmpegFailure(options.what, exit, stderrTail.slice(-10))
    }
    return { stderrTail, nonMonotonous, final }
  } finally {
    for (const timer of timers) clearTimeout(timer)
    clearTimeout(forceKill)
    signal?.removeEventListener('abort', onAbort)
    guard?.release()
  }
}
