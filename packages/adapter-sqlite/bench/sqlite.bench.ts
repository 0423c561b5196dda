// SQLite adapter benchmarks, each beside a reference measured in the same run:
// - claim+complete throughput, 1 process and 4 processes on one file, against
//   the original system's SELECT-then-UPDATE claim (which also double-claims);
// - event-loop delay p99 of a worker process while 4 processes contend;
// - `list` of one project's 50 newest in 100,000 jobs, against memoryRepository;
// - pickup latency from `create` in this process to `processing` in a worker
//   process with a 100 ms sqlitePoller, against a plain 100 ms intervalPoller.
// Every comparison runs in interleaved rounds (A B, B A, ...); each row is the
// median of the rounds and their spread.
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { memoryRepository, type Repository } from '@mastervideo/core'
import { newJob, writeTestClip } from '@mastervideo/core/testing'
import {
  atLeast,
  atMost,
  type BenchContext,
  type BenchRow,
  equals,
  interleaved,
  measured,
  percentile,
  ratioAtLeast,
} from '../../../bench/harness.js'
import { latencyRows } from '../../../bench/support/latency-rows.js'
import { sqliteRepository } from '../src/index.js'

const packageDir = path.resolve(import.meta.dirname, '..')
const child = path.join(import.meta.dirname, 'bench-child.ts')

function spawn(args: string[]): { process: ChildProcess; next: <T>() => Promise<T> } {
  const proc = fork(child, args, {
    cwd: packageDir,
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
  })
  const queue: unknown[] = []
  const waiting: ((m: unknown) => void)[] = []
  proc.on('message', (m) => {
    const w = waiting.shift()
    if (w) w(m)
    else queue.push(m)
  })
  return {
    process: proc,
    next: <T>() =>
      queue.length > 0
        ? Promise.resolve(queue.shift() as T)
        : new Promise<T>((resolve) => waiting.push(resolve as (m: unknown) => void)),
  }
}

interface DrainReport {
  claimed: string[]
  errors: number
  started: number
  finished: number
  loopDelayP99Ms: number
}

/**
 * Fills a fresh file with `jobs` due jobs and lets `processes` children drain it
 * (or, with `files: 'separate'`, gives each child its own file with `jobs` /
 * processes jobs: the same CPU load without any lock contention).
 */
async function drain(
  dir: string,
  jobs: number,
  processes: number,
  variant: 'ours' | 'naive',
  files: 'one' | 'separate' = 'one',
) {
  const names = Array.from({ length: files === 'one' ? 1 : processes }, (_, i) =>
    path.join(dir, `drain-${variant}-${processes}-${files}-${i}-${Date.now()}.sqlite`),
  )
  for (const file of names) {
    const repo = sqliteRepository({ filename: file })
    for (let i = 0; i < jobs / names.length; i++) await repo.create(newJob())
    await repo.close()
  }
  const children = Array.from({ length: processes }, (_, i) =>
    spawn([names[i % names.length] as string, 'drain', variant]),
  )
  await Promise.all(children.map((c) => c.next()))
  for (const c of children) c.process.send('go')
  const reports = await Promise.all(children.map((c) => c.next<DrainReport>()))
  const wall = Math.max(...reports.map((r) => r.finished)) - Math.min(...reports.map((r) => r.started))
  const claimed = reports.flatMap((r) => r.claimed)
  return {
    jobsPerSecond: (new Set(claimed).size / wall) * 1000,
    duplicates: claimed.length - new Set(claimed).size,
    errors: reports.reduce((sum, r) => sum + r.errors, 0),
    loopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
  }
}

async function listLatency(
  repo: Repository,
  rounds: number,
  projects: number,
): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < rounds; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const page = await repo.list({ projectId: `p${i % projects}`, limit: 50 })
    wall.push(performance.now() - t0)
    const used = process.cpuUsage(c0)
    cpu.push((used.user + used.system) / 1000)
    if (page.items.length !== 50) throw new Error('list returned a short page')
  }
  return { wall, cpu }
}

async function pickup(dir: string, variant: 'sqlite' | 'interval', jobs: number, countSeconds: number) {
  const file = path.join(dir, `pickup-${variant}-${Date.now()}.sqlite`)
  const repo = sqliteRepository({ filename: file })
  const worker = spawn([file, 'pickup', variant, dir, String(countSeconds)])
  await worker.next()
  const latencies: number[] = []
  for (let i = 0; i < jobs; i++) {
    // Land each create at a random point of the poll cycle.
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100))
    const t0 = performance.timeOrigin + performance.now()
    const { record } = await repo.create(newJob({ name: `pickup ${i}` }))
    const event = await worker.next<{ id: string; at: number }>()
    if (event.id !== record.id) throw new Error('pickup: unexpected job')
    latencies.push(event.at - t0)
  }
  await new Promise((resolve) => setTimeout(resolve, 300)) // let the last job finish
  worker.process.send('count')
  const { wakesPerSecond } = await worker.next<{ wakesPerSecond: number }>()
  worker.process.send('stop')
  await new Promise((resolve) => worker.process.once('exit', resolve))
  await repo.close()
  return { latencies, wakesPerSecond }
}

type Drain = Awaited<ReturnType<typeof drain>>

export default async function sqliteBench(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-bench-'))
  await writeTestClip(path.join(dir, 'clip.bin'))
  const jobs = ctx.quick ? 40 : 4000
  // Quick mode: two contending processes, not four (each child costs a second to start).
  const procs = ctx.quick ? 2 : 4
  const listed = ctx.quick ? { jobs: 200, projects: 2 } : { jobs: 100_000, projects: 100 }
  try {
    const runs: Record<'naive1' | 'naive4' | 'ours1' | 'ours4' | 'apart4', Drain[]> = {
      naive1: [],
      naive4: [],
      ours1: [],
      ours4: [],
      apart4: [],
    }
    const run =
      (key: keyof typeof runs, processes: number, variant: 'ours' | 'naive', files?: 'separate') =>
      async () => {
        const report = await drain(dir, jobs, processes, variant, files)
        runs[key].push(report)
        return report.jobsPerSecond
      }
    await interleaved(ctx.rounds, {
      naive1: run('naive1', 1, 'naive'),
      ours1: run('ours1', 1, 'ours'),
      naive4: run('naive4', procs, 'naive'),
      ours4: run('ours4', procs, 'ours'),
      apart4: run('apart4', procs, 'ours', 'separate'),
    })
    // A duplicate is a row's ✘ (below), not an exception; a claim that throws is a broken bench.
    const bad = [...runs.ours1, ...runs.ours4, ...runs.apart4].filter((r) => r.errors > 0)
    if (bad.length > 0) throw new Error(`claim errors: ${JSON.stringify(bad)}`)
    const of = (key: keyof typeof runs, figure: (d: Drain) => number) => measured(runs[key].map(figure))
    const rate = (d: Drain) => d.jobsPerSecond
    const sum = (drains: Drain[], figure: (d: Drain) => number) =>
      drains.reduce((total, d) => total + figure(d), 0)

    // Many jobs in many projects, created through the repositories themselves.
    const sqlite = sqliteRepository({ filename: path.join(dir, 'list.sqlite') })
    const memory = memoryRepository()
    const base = Date.now() - listed.jobs
    for (let i = 0; i < listed.jobs; i++) {
      const input = newJob({
        projectId: `p${i % listed.projects}`,
        id: `master_${base + i}_${String(i).padStart(8, '0')}`,
      })
      await sqlite.create(input)
      await memory.create(input)
    }
    await listLatency(sqlite, ctx.quick ? 5 : 200, listed.projects) // warm up
    const sqliteList: { wall: number[]; cpu: number[] }[] = []
    const memoryList: { wall: number[]; cpu: number[] }[] = []
    await interleaved(ctx.rounds, {
      sqlite: async () => sqliteList.push(await listLatency(sqlite, ctx.quick ? 5 : 400, listed.projects)),
      memory: async () => memoryList.push(await listLatency(memory, ctx.quick ? 2 : 40, listed.projects)),
    })
    await sqlite.close()
    const list = (rounds: { wall: number[]; cpu: number[] }[], figure: 'wall' | 'cpu', p: number) =>
      measured(rounds.map((r) => percentile(r[figure], p)))

    const polled: Awaited<ReturnType<typeof pickup>>[] = []
    const interval: Awaited<ReturnType<typeof pickup>>[] = []
    const pickupJobs = ctx.quick ? 2 : 10
    const countSeconds = ctx.quick ? 0.3 : 2
    await interleaved(ctx.rounds, {
      sqlite: async () => polled.push(await pickup(dir, 'sqlite', pickupJobs, countSeconds)),
      interval: async () => interval.push(await pickup(dir, 'interval', pickupJobs, countSeconds)),
    })
    const late = (rounds: typeof polled, p: number) => measured(rounds.map((r) => percentile(r.latencies, p)))

    return [
      {
        name: `claim+complete, 1 process (${jobs} jobs)`,
        unit: 'jobs/s',
        subject: of('ours1', rate),
        reference: { name: 'original SELECT-then-UPDATE, 1 process', value: of('naive1', rate) },
        better: 'higher',
        goal: atLeast(2000),
        why: "each job is two write transactions, and since schema v3 the complete one also inserts the webhook outbox event and its fan-out even when no endpoint is registered: skipping those writes without endpoints is the first thing to try, then a profile; the original's two bare statements write neither",
        headline: true,
      },
      {
        name: `claim+complete, ${procs} processes on one file`,
        unit: 'jobs/s',
        subject: of('ours4', rate),
        reference: { name: 'this adapter, 1 process', value: of('ours1', rate) },
        better: 'higher',
        goal: ratioAtLeast(1),
        why: "more processes than cores share the CPU and one write lock (the CPU-bound check below shows the lock's share); real jobs spend seconds in ffmpeg per claim, so the lock never binds there",
        headline: true,
      },
      {
        name: `claim+complete, ${procs} processes on one file (CPU-bound check)`,
        unit: 'jobs/s',
        subject: of('ours4', rate),
        reference: {
          name: `${procs} processes on as many separate files (no lock contention)`,
          value: of('apart4', rate),
        },
        better: 'higher',
        goal: 'report',
      },
      {
        // Summed over every round, not a median: one duplicate in any round is a miss.
        name: `jobs claimed twice, ${procs} processes, summed over the rounds`,
        unit: 'jobs',
        subject: measured([sum(runs.ours4, (d) => d.duplicates)]),
        reference: {
          name: `original SELECT-then-UPDATE, ${procs} processes, the same rounds`,
          value: measured([sum(runs.naive4, (d) => d.duplicates)]),
        },
        better: 'lower',
        goal: equals(0),
        headline: true,
      },
      {
        name: `event-loop delay p99 of a worker, ${procs} processes contending`,
        unit: 'ms',
        subject: of('ours4', (d) => d.loopDelayP99Ms),
        reference: { name: 'the same worker alone', value: of('ours1', (d) => d.loopDelayP99Ms) },
        better: 'lower',
        goal: 'report',
      },
      {
        name: `event-loop delay p99, ${procs} processes on one file`,
        unit: 'ms',
        subject: of('ours4', (d) => d.loopDelayP99Ms),
        reference: {
          name: `${procs} processes on as many separate files (same CPU load, no locks)`,
          value: of('apart4', (d) => d.loopDelayP99Ms),
        },
        better: 'lower',
        goal: 'report',
      },
      ...latencyRows({
        name: (p) => `list 50 newest of one project, ${listed.jobs} jobs, p${p}`,
        subject: (p) => list(sqliteList, 'wall', p),
        reference: { name: 'memoryRepository', value: (p) => list(memoryList, 'wall', p) },
        goal: atMost(5),
        why: 'the query reads one index range and stops after 51 rows; a tail above 5 ms is garbage collection and waiting for a core, which a quiet run removes',
        headline: 'p99',
      }),
      {
        name: 'list p99, CPU time of this process (all its threads)',
        unit: 'ms',
        subject: list(sqliteList, 'cpu', 99),
        reference: { name: 'memoryRepository', value: list(memoryList, 'cpu', 99) },
        better: 'lower',
        goal: 'report',
      },
      ...latencyRows({
        name: (p) => `pickup create -> processing in another process, p${p} (sqlitePoller 100 ms)`,
        subject: (p) => late(polled, p),
        reference: { name: 'intervalPoller 100 ms', value: (p) => late(interval, p) },
        // Within the 100 ms interval, plus 10 ms to start the job.
        goal: atMost(110),
        why: 'a create waits at most one 100 ms interval; beyond 110 ms the worker process waited for a core (compare the intervalPoller reference): a quiet run, or a shorter intervalMs, closes it',
        headline: 'p99',
      }),
      {
        name: 'idle wake-ups (claim queries) per second',
        unit: '/s',
        subject: measured(polled.map((r) => r.wakesPerSecond)),
        reference: { name: 'intervalPoller 100 ms', value: measured(interval.map((r) => r.wakesPerSecond)) },
        better: 'lower',
        goal: 'report',
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
