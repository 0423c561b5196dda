import { spawn } from 'node:child_process'

/**
 * Whether ffmpeg runs in a process group of its own. POSIX only: on Windows
 * `detached` opens a new console instead, and Ctrl-C reaches a console's
 * processes differently.
 */
export const OWN_PROCESS_GROUP = process.platform !== 'win32'

// Reads its stdin until the host closes it (the host died: the kernel
// closes a dead process's pipes), then kills ffmpeg's group and ffmpeg.
const GUARD_SCRIPT = 'read _ ; kill -KILL -- -"$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null'

/** A running guard; `release()` once ffmpeg has exited. */
export interface ProcessGuard {
  release(): void
}

/**
 * Starts a tiny `sh` that kills process `pid` (and its group) when this
 * process dies without having released the guard. A process in its own
 * group escapes a group-wide SIGKILL of its parent, and ffmpeg does not stop
 * when its progress pipe breaks, so without this an encode would outlive a
 * crashed worker and overlap the next worker's attempt at the same job.
 *
 * @example
 * ```ts
 * const guard = guardAgainstOrphaning(child.pid)
 * await child
 * guard?.release()
 * ```
 */
export function guardAgainstOrphaning(pid: number | undefined): ProcessGuard | null {
  if (pid === undefined) return null
  let guard: ReturnType<typeof spawn>
  try {
    guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'mastervideo-ffmpeg-guard', String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own group too: a signal to the host's group must not end the guard early.
      detached: true,
    })
  } catch {
    return null
  }
  // A guard that cannot start (no /bin/sh) only costs the protection.
  guard.on('error', () => {})
  guard.stdin?.on('error', () => {})
  return {
    release() {
      // SIGKILL, so the guard never reaches its `kill` for a pid that may be reused.
      guard.kill('SIGKILL')
      guard.stdin?.destroy()
    },
  }
}
