import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { attributeToBench, cpuSnapshot, foreignCores } from '../cpu-share.js'

// Burns `ms` of this process's CPU time (not wall time: on a loaded machine a
// wall-clock spin may get only part of a core).
const spin = (ms: number) => {
  const start = process.cpuUsage()
  while (process.cpuUsage(start).user < ms * 1000);
}
const CHILD_SPIN = 'const s=process.cpuUsage();while(process.cpuUsage(s).user<400000);'

describe('foreignCores', () => {
  it('does not count this process, nor a child it has waited for, as another process', async () => {
    const before = cpuSnapshot()
    if (before === null) return // no /proc: the header falls back to the load average
    spin(300)
    // A child that burns CPU, then is reaped: its time lands in this process's cutime.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', CHILD_SPIN])
      child.on('error', reject)
      child.on('exit', () => resolve())
    })
    const after = cpuSnapshot()
    const own = (after?.own ?? 0) - before.own
    // 0.3 s of our own CPU (30 ticks of 1/100 s, a little more with vitest's own
    // work) cannot reach 60 ticks alone: the reaped child's 0.4 s is counted as
    // ours, so it is not "another process".
    expect(own).toBeGreaterThanOrEqual(60)
    expect(foreignCores(before, after, 2)).not.toBeNull()
  })

  it("counts a live process the bench attributes to itself (a daemonized server) as the bench's own", async () => {
    const before = cpuSnapshot()
    if (before === null) return
    // A child that burns 0.4 s of CPU, says so, then stays alive (unreaped, so
    // not in our cutime): only the attribution can count its time.
    const child = spawn(process.execPath, ['-e', `${CHILD_SPIN}console.log('spun');setInterval(()=>{},1000)`])
    try {
      const share = attributeToBench(child.pid as number)
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
      share.settle()
      const own = (cpuSnapshot()?.own ?? 0) - before.own
      expect(own).toBeGreaterThanOrEqual(35)
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('computes other processes share from the counters', () => {
    const before = { busy: 1000, total: 2000, own: 100 }
    const after = { busy: 1600, total: 3000, own: 300 }
    // 600 busy ticks of 1000, 200 of them ours: 400 of 1000 ticks on 2 cores = 0.8 cores.
    expect(foreignCores(before, after, 2)).toBeCloseTo(0.8)
    expect(foreignCores(null, after, 2)).toBeNull()
  })
})
