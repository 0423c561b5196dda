import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cpuSnapshot, foreignCores } from '../cpu-share.js'

const spin = (ms: number) => {
  const end = Date.now() + ms
  while (Date.now() < end);
}

describe('foreignCores', () => {
  it('does not count this process, nor a child it has waited for, as another process', async () => {
    const before = cpuSnapshot()
    if (before === null) return // no /proc: the header falls back to the load average
    spin(300)
    // A child that burns CPU, then is reaped: its time lands in this process's cutime.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', 'const e=Date.now()+400;while(Date.now()<e);'])
      child.on('error', reject)
      child.on('exit', () => resolve())
    })
    const after = cpuSnapshot()
    const own = (after?.own ?? 0) - before.own
    // 0.3 s of our own spinning (30 ticks of 1/100 s) cannot reach 50 ticks alone:
    // the reaped child's 0.4 s is counted as ours, so it is not "another process".
    expect(own).toBeGreaterThanOrEqual(50)
    expect(foreignCores(before, after, 2)).not.toBeNull()
  })

  it('computes other processes share from the counters', () => {
    const before = { busy: 1000, total: 2000, own: 100 }
    const after = { busy: 1600, total: 3000, own: 300 }
    // 600 busy ticks of 1000, 200 of them ours: 400 of 1000 ticks on 2 cores = 0.8 cores.
    expect(foreignCores(before, after, 2)).toBeCloseTo(0.8)
    expect(foreignCores(null, after, 2)).toBeNull()
  })
})
