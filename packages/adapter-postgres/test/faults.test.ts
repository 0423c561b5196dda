import './cjs-conditions.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFaults } from './fault-run.js'
import { usePostgres } from './helpers.js'

// Black-box, through the public API: 4 worker processes behind a proxy that
// resets connections and partitions the network, one worker SIGKILLed and
// restarted twice. Nothing may be lost, completed twice, left unnamed, or
// transcoded twice at the same time.
const db = usePostgres()
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-faults-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('faults under load', () => {
  it('4 processes, 200 jobs, resets, partitions and two SIGKILLs: 0 lost, 0 doubled, 0 overlap', async () => {
    const report = await runFaults({
      url: db.url(),
      schema: db.schema(),
      dir,
      jobs: 200,
      workers: 4,
      concurrency: 2,
      leaseMs: 2000,
      durationMs: 150,
      chaos: { resetAfterMs: [300, 4000], partitionEveryMs: [2500, 5000], partitionMs: [1000, 3000] },
      killAtMs: [2500, 6000],
      timeoutMs: 90_000,
    })
    console.info('faults run', JSON.stringify(report))
    expect(report.faults.resets).toBeGreaterThan(0)
    expect(report.faults.partitions).toBeGreaterThan(0)
    expect(report.faults.kills).toBe(2)
    // A process SIGKILLed between its commit and its complete leaves a video
    // and poster no record names; the startup sweep (run once after the
    // workers stop) reads their job again and removes them: none may remain.
    expect(report.crashLeftovers).toEqual([])
    expect(report).toMatchObject({
      lost: 0,
      completedTwice: 0,
      missingFiles: 0,
      unnamedFiles: 0,
    })
    // Needs the worker's own lease deadline: a worker cut off by a partition
    // must stop its transcode before its lease can expire.
    expect(report.overlapping).toEqual([])
    expect(report.overlapMs).toBe(0)
  }, 120_000)
})
