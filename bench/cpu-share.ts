// How much of the machine other processes used while a bench ran. The load
// average cannot say: a bench that runs ffmpeg on both cores raises it itself,
// so "load after" would call every CPU-heavy run busy. The kernel's CPU
// counters can: the machine's busy time (/proc/stat, steal included: a
// hypervisor's other guests disturb a run too) minus this process's and its
// reaped children's time (/proc/self/stat utime, stime, cutime, cstime: a
// bench's ffmpeg, servers and worker processes, once it has waited for them).
import { readFileSync } from 'node:fs'

/** CPU counters at one instant, in clock ticks. */
export interface CpuSnapshot {
  /** Busy time of every core of the machine. */
  busy: number
  /** Busy plus idle time of every core. */
  total: number
  /** This process plus its reaped children. */
  own: number
}

/** The counters now, or null where /proc is not there (not Linux). */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number)
    const self = readFileSync('/proc/self/stat', 'utf8')
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    if (!cpu || cpu.length < 8) return null
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
    // utime, stime, cutime, cstime are the 14th to 17th fields; `fields` starts at the 3rd.
    const own = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0)
    return { busy, total: busy + idle + iowait, own }
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
