// How much of the machine other processes used while a bench ran. The load
// average cannot say: a bench that runs ffmpeg on both cores raises it itself,
// so "load after" would call every CPU-heavy run busy. The kernel's CPU
// counters can: the machine's busy time (/proc/stat, steal included: a
// hypervisor's other guests disturb a run too) minus this process's and its
// reaped children's time (/proc/self/stat utime, stime, cutime, cstime: a
// bench's ffmpeg, servers and worker processes, once it has waited for them).
import { readdirSync, readFileSync } from 'node:fs'

/**
 * Ticks of processes a bench declared part of what it measures but that are
 * not its children (a daemonized PostgreSQL server), settled so far.
 */
let attributed = 0

/** utime + stime + cutime + cstime of `pid` and its parent pid, from /proc/<pid>/stat; null once it is gone. */
function processTicks(pid: number | 'self'): { ticks: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    // ppid is the 4th field; utime, stime, cutime, cstime the 14th to 17th; `fields` starts at the 3rd.
    const ticks = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0)
    return { ticks, ppid: fields[1] ?? 0 }
  } catch {
    return null
  }
}

/** CPU ticks of `root` and every live descendant (the root's reaped children are in its cutime). */
function treeTicks(root: number): number {
  const parents = new Map<number, number>()
  const ticks = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const stat = processTicks(pid)
    if (!stat) continue
    parents.set(pid, stat.ppid)
    ticks.set(pid, stat.ticks)
  }
  const inTree = (pid: number): boolean => {
    for (let at = pid, hops = 0; at > 1 && hops < 64; at = parents.get(at) ?? 0, hops++) {
      if (at === root) return true
    }
    return false
  }
  let total = 0
  for (const [pid, value] of ticks) if (inTree(pid)) total += value
  return total
}

/**
 * Counts the CPU of process `pid` and its descendants as the bench's own
 * from now until `settle()`, which must run while the process is still
 * alive (before stopping a server). For a server the bench measures but did
 * not spawn as a child, such as a PostgreSQL started by `pg_ctl`: without
 * it, the server's work would look like another process disturbing the run.
 * A no-op without /proc.
 */
export function attributeToBench(pid: number): { settle(): void } {
  let start: number | null = null
  try {
    start = treeTicks(pid)
  } catch {
    start = null
  }
  return {
    settle() {
      if (start === null) return
      try {
        attributed += Math.max(0, treeTicks(pid) - start)
      } catch {}
      start = null
    },
  }
}

/** CPU counters at one instant, in clock ticks. */
export interface CpuSnapshot {
  /** Busy time of every core of the machine. */
  busy: number
  /** Busy plus idle time of every core. */
  total: number
  /** This process plus its reaped children, plus the processes attributed to the bench (attributeToBench). */
  own: number
}

/** The counters now, or null where /proc is not there (not Linux). */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number)
    const self = processTicks('self')
    if (!cpu || cpu.length < 8 || !self) return null
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    const busy = user + nice + system + irq + softirq + steal
    return { busy, total: busy + idle + iowait, own: self.ticks + attributed }
  } catch {
    return null
  }
}

/**
 * Cores' worth of CPU that other processes used, on average, between two
 * snapshots (0 on an idle machine, up to the number of cores), or null
 * without counters.
 */
export function foreignCores(
  before: CpuSnapshot | null,
  after: CpuSnapshot | null,
  cores: number,
): number | null {
  if (!before || !after) return null
  const total = after.total - before.total
  if (total <= 0) return 0
  const foreign = Math.max(0, after.busy - before.busy - (after.own - before.own))
  return (foreign / total) * cores
}
