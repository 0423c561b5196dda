import { type ChildProcess, spawn } from 'node:child_process'
import type { Writable } from 'node:stream'

/**
 * Whether ffmpeg runs in a process group of its own. POSIX only: on Windows
 * `detached` opens a new console instead, and Ctrl-C reaches a console's
 * processes differently.
 */
export const OWN_PROCESS_GROUP = process.platform !== 'win32'

// One guard per host process, started with the first ffmpeg run and kept:
// starting a shell beside every run cost a process spawn per join, a share of
// a short stream copy. It keeps the groups the host names on its stdin
// (`+ <pid>` when ffmpeg starts, `- <pid>` once it has exited) and, when that
// stdin closes (the host died: the kernel closes a dead process's pipes, or
// it exited), kills each group still listed and its leader.
const GUARD_SCRIPT = [
  'pids=" "',
  'while read -r op pid; do',
  '  case "$op $pids" in',
  '    "+ "*) pids="$pids$pid " ;;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '    "- "*" $pid "*) pids="${pids%% $pid *} ${pids#* $pid }" ;;',
  '  esac',
  'done',
  'for pid in $pids; do kill -KILL -- -"$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; done',
].join('\n')

/** A running guard; `release()` once ffmpeg has exited. */
export interface ProcessGuard {
  release(): void
}

interface SharedGuard {
  child: ChildProcess
  stdin: Writable
}

let shared: SharedGuard | undefined

/** The host's guard, started on first use and again if it went away. */
function sharedGuard(): SharedGuard | undefined {
  if (shared && shared.child.exitCode === null && shared.child.signalCode === null && shared.stdin.writable)
    return shared
  shared = undefined
  let child: ChildProcess
  try {
    child = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'mastervideo-ffmpeg-guard'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own group too: a signal to the host's group must not end the guard early.
      detached: true,
    })
  } catch {
    return undefined
  }
  const stdin = child.stdin
  if (!stdin) return undefined
  // A guard that cannot start (no /bin/sh) only costs the protection.
  child.on('error', () => {
    if (shared?.child === child) shared = undefined
  })
  stdin.on('error', () => {})
  // The guard must not keep the host alive: it waits for the host, not the other way round.
  child.unref()
  ;(stdin as Writable & { unref?: () => void }).unref?.()
  shared = { child, stdin }
  return shared
}

/**
 * Has the host's guard, a tiny `sh` shared by every run, kill process `pid`
 * (and its group) if this process dies without having released it. A
 * process in its own group escapes a group-wide SIGKILL of its parent, and
 * ffmpeg does not stop when its progress pipe breaks, so without this an
 * encode would outlive a crashed worker and overlap the next worker's
 * attempt at the same job.
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
  const guard = sharedGuard()
  if (!guard) return null
  guard.stdin.write(`+ ${pid}\n`)
  return {
    release() {
      // Taken off the list once ffmpeg is gone, so a reused pid is never killed.
      if (guard.stdin.writable) guard.stdin.write(`- ${pid}\n`)
    },
  }
}
