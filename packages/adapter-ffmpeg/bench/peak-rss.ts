// Wall time and peak memory of one run, for the realistic bench: the Node
// process's RSS and the largest ffmpeg/ffprobe child's peak RSS, both polled
// while the run lasts. ffmpeg's peak is the kernel's own high-water mark
// (`VmHWM` in /proc/<pid>/status), so a poll only has to come before the
// process exits, not at the moment of its peak.
import { readdirSync, readFileSync } from 'node:fs'

/** What one run cost. */
export interface RunFigures {
  /** Wall time, ms. */
  ms: number
  /** Peak RSS of this Node process during the run, MB (10^6 bytes). */
  nodeMb: number
  /** Peak RSS (VmHWM) of the largest ffmpeg or ffprobe process the run started, MB; 0 when none lived past a poll. */
  ffmpegMb: number
}

/** The text of a /proc file, or null once the process is gone. */
function readProc(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** Every live descendant of `pid`, from the kernel's per-thread `children` lists. */
function descendants(pid: number): number[] {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  const children = tasks.flatMap((task) =>
    (readProc(`/proc/${pid}/task/${task}/children`) ?? '').split(' ').filter(Boolean).map(Number),
  )
  return children.flatMap((child) => [child, ...descendants(child)])
}

/**
 * Runs `run` while polling, every `everyMs`, this process's RSS and the
 * `VmHWM` of each ffmpeg/ffprobe descendant (a process that starts and ends
 * between two polls is not seen). Linux only: it reads /proc.
 *
 * @example
 * ```ts
 * const { ms, nodeMb, ffmpegMb } = await measureRun(() => execa(FFMPEG, args))
 * ```
 */
export async function measureRun(run: () => Promise<unknown>, everyMs = 50): Promise<RunFigures> {
  let nodePeak = process.memoryUsage.rss()
  let ffmpegPeakKb = 0
  const poll = () => {
    nodePeak = Math.max(nodePeak, process.memoryUsage.rss())
    for (const pid of descendants(process.pid)) {
      const status = readProc(`/proc/${pid}/status`)
      const name = status && /^Name:\s*(\S+)/m.exec(status)?.[1]
      if (name !== 'ffmpeg' && name !== 'ffprobe') continue
      ffmpegPeakKb = Math.max(ffmpegPeakKb, Number(/^VmHWM:\s*(\d+) kB/m.exec(status ?? '')?.[1] ?? 0))
    }
  }
  const timer = setInterval(poll, everyMs)
  const t0 = performance.now()
  try {
    await run()
    const ms = performance.now() - t0
    poll()
    return { ms, nodeMb: nodePeak / 1e6, ffmpegMb: (ffmpegPeakKb * 1024) / 1e6 }
  } finally {
    clearInterval(timer)
  }
}
