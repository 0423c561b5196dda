// One fault run, shared by the fault test and the soak script: worker
// processes (fixtures/fault-worker.ts) run jobs through the fault proxy while
// it resets connections and partitions the network, some workers are
// SIGKILLed and restarted; then the run is checked against the database, the
// output folder and the workers' shared log.
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { localOutputStore, sweepOrphanOutputs } from '@mastervideo/core'
import { newJob } from '@mastervideo/core/testing'
import pg from 'pg'
import { postgresRepository } from '../src/index.js'
import { type ChaosOptions, type FaultCounts, startFaultProxy, targetOf } from './fault-proxy.js'
import type { FaultLogLine, FaultWorkerOptions } from './fixtures/fault-worker.js'

const script = fileURLToPath(new URL('./fixtures/fault-worker.ts', import.meta.url))
const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

export interface FaultRunOptions {
  /** The database, reached directly (jobs are created and checked around the proxy). */
  url: string
  schema: string
  dir: string
  jobs: number
  workers: number
  concurrency: number
  leaseMs: number
  durationMs: number
  chaos: ChaosOptions
  /** When to SIGKILL a worker (ms after the start); each is restarted at once. */
  killAtMs: number[]
  /** Give up waiting for every job after this long. */
  timeoutMs: number
}

/** What a run found. Every count but `jobs`, `faults` and the times must be 0 for a pass. */
export interface FaultRunReport {
  jobs: number
  elapsedMs: number
  faults: FaultCounts & { kills: number }
  /** Jobs not `completed` when the run ended. */
  lost: number
  /** Jobs whose completion two attempts reported. */
  completedTwice: number
  /** Summed time two transcodes of one job ran at once, in ms, and the jobs concerned. */
  overlapMs: number
  overlapping: string[]
  /** Completed records whose video is missing. */
  missingFiles: number
  /** What the log says of the jobs whose file is missing or unnamed (for a failing run). */
  suspects: string[]
  /** Committed files no record names, other than {@link FaultRunReport.crashLeftovers}. */
  unnamedFiles: number
  unnamed: string[]
  /**
   * Committed files no record names, made by a process SIGKILLed between
   * committing them and recording the job complete: a crash leftover.
   */
  crashLeftovers: string[]
  /**
   * What the workers' startup sweep removed when run once after every worker
   * stopped: the crash leftovers, found by reading each file's job again.
   * {@link FaultRunReport.crashLeftovers} is what remained after it.
   */
  sweptOrphans: string[]
  /** Transcodes started, over all attempts. */
  transcodes: number
  /** Longest time from a partition healing to the next job completed, in ms. */
  worstRecoveryMs: number
  /** The workers' warnings, by message. */
  warnings: Record<string, number>
}

interface Running {
  child: ChildProcess
  id: string
  exited: Promise<void>
}

async function startWorker(options: FaultWorkerOptions): Promise<Running> {
  const child = fork(script, [JSON.stringify(options)], {
    cwd: repoRoot,
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message) => message === 'ready' && resolve())
    child.once('exit', (code) =>
      reject(new Error(`worker ${options.workerId} exited with ${code} before it was ready`)),
    )
  })
  return { child, id: options.workerId, exited }
}

export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const { schema } = options
  const log = path.join(options.dir, 'events.log')
  const out = path.join(options.dir, 'out')
  await mkdir(out, { recursive: true })
  const setup = postgresRepository({ connectionString: options.url }, { schema })
  await setup.ready()
  const ids: string[] = []
  for (let i = 0; i < options.jobs; i++) {
    ids.push((await setup.create(newJob({ maxAttempts: 1000, name: `soak-${i}` }))).record.id)
  }
  const admin = new pg.Pool({ connectionString: options.url, max: 2 })
  admin.on('error', () => {})
  const proxy = await startFaultProxy(targetOf(options.url))
  const workerOptions = (workerId: string): FaultWorkerOptions => ({
    url: proxy.url(options.url),
    schema,
    dir: options.dir,
    log,
    workerId,
    leaseMs: options.leaseMs,
    durationMs: options.durationMs,
    concurrency: options.concurrency,
  })

  const startedAt = Date.now()
  const heals: number[] = []
  const killed = new Map<number, number>() // pid -> time of the kill
  const workers = await Promise.all(
    Array.from({ length: options.workers }, (_, i) => startWorker(workerOptions(`w${i}`))),
  )
  proxy.chaos(options.chaos, (_, healedAt) => heals.push(healedAt))
  const kills = options.killAtMs.map((at, n) =>
    new Promise((resolve) => setTimeout(resolve, at)).then(async () => {
      const index = n % workers.length
      const victim = workers[index] as Running
      const pid = victim.child.pid ?? -1
      victim.child.kill('SIGKILL')
      killed.set(pid, Date.now())
      await victim.exited
      workers[index] = await startWorker(workerOptions(`${victim.id}-r${n + 1}`))
    }),
  )

  const countDone = async () =>
    Number(
      (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.master_videos WHERE status = 'completed'`))
        .rows[0].n,
    )
  while (Date.now() - startedAt < options.timeoutMs) {
    const done = await countDone().catch(() => 0)
    if (done === options.jobs) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const elapsedMs = Date.now() - startedAt
  proxy.calm()
  await Promise.all(kills)
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.send('stop')
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 15_000)
      await w.exited
      clearTimeout(timer)
    }),
  )
  const endedAt = Date.now()
  const faults = { ...proxy.counts, kills: killed.size }
  await proxy.close()

  const sweptOrphans = await sweepOrphanOutputs({
    output: localOutputStore(out),
    repository: setup,
    olderThanMs: 0,
    windowMs: 24 * 60 * 60_000,
  })
  const { rows } = await admin.query(`SELECT id, status, output, thumbnail_key FROM ${schema}.master_videos`)
  await admin.end()
  await setup.close()
  const lost = ids.length - rows.filter((r) => r.status === 'completed').length
  const named = new Set<string>()
  let missingFiles = 0
  const suspectIds = new Set<string>()
  for (const row of rows) {
    const output = typeof row.output === 'string' ? JSON.parse(row.output) : row.output
    if (output?.key) {
      named.add(output.key)
      if (!existsSync(path.join(out, output.key))) {
        missingFiles++
        suspectIds.add(row.id)
      }
    }
    if (row.thumbnail_key) named.add(row.thumbnail_key)
  }
  // Temporary files (dot-names) of killed workers are the startup sweep's; committed ones must be named.
  const unnamedAll = (await readdir(out)).filter((f) => !f.startsWith('.') && !named.has(f))

  const lines = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FaultLogLine)
    : []
  // The stem of every video a killed process was transcoding (`.tmp-<random>-<stem>.mp4`).
  const killedStems = new Set<string>()
  const stemOf = (file: string) =>
    path
      .basename(file)
      .replace(/^\.tmp-[^-]+-/, '')
      .replace(/\.[a-z0-9]+$/, '')
  for (const line of lines)
    if (line.ev === 'start' && killed.has(line.pid)) killedStems.add(stemOf(line.path))
  const crashLeftovers = unnamedAll.filter((file) => killedStems.has(stemOf(file)))
  const unnamed = unnamedAll.filter((file) => !killedStems.has(stemOf(file)))
  for (const file of unnamed) suspectIds.add(/master_\d+_[A-Za-z0-9]+/.exec(file)?.[0] ?? '')
  const completions = new Map<string, number>()
  const intervals = new Map<string, Array<{ start: number; end: number }>>()
  const open = new Map<string, { id: string; start: number; pid: number }>()
  const completedAt: number[] = []
  for (const line of lines) {
    if (line.ev === 'completed') {
      completions.set(line.id, (completions.get(line.id) ?? 0) + 1)
      completedAt.push(line.t)
    } else if (line.ev === 'start') {
      open.set(`${line.pid}:${line.path}`, { id: line.id, start: line.t, pid: line.pid })
    } else if (line.ev === 'end') {
      const began = open.get(`${line.pid}:${line.path}`)
      open.delete(`${line.pid}:${line.path}`)
      if (began)
        intervals.set(line.id, [...(intervals.get(line.id) ?? []), { start: began.start, end: line.t }])
    }
  }
  // A transcode with no end ran until its process was killed (or until the run ended).
  for (const began of open.values()) {
    const end = killed.get(began.pid) ?? endedAt
    intervals.set(began.id, [...(intervals.get(began.id) ?? []), { start: began.start, end }])
  }
  let overlapMs = 0
  const overlapping: string[] = []
  for (const [id, list] of intervals) {
    let sum = 0
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as { start: number; end: number }
        const b = list[j] as { start: number; end: number }
        sum += Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start))
      }
    }
    if (sum > 0) overlapping.push(id)
    overlapMs += sum
  }
  completedAt.sort((a, b) => a - b)
  let worstRecoveryMs = 0
  for (const healedAt of heals) {
    const next = completedAt.find((t) => t >= healedAt)
    if (next !== undefined) worstRecoveryMs = Math.max(worstRecoveryMs, next - healedAt)
  }
  return {
    jobs: ids.length,
    elapsedMs,
    faults,
    lost,
    completedTwice: [...completions.values()].filter((n) => n > 1).length,
    overlapMs,
    overlapping,
    missingFiles,
    unnamedFiles: unnamed.length,
    unnamed,
    crashLeftovers,
    sweptOrphans,
    suspects: lines
      .filter((l) => l.ev !== 'completed' && l.id !== undefined && suspectIds.has(l.id))
      .map((l) => JSON.stringify({ ...l, t: l.t - startedAt })),
    transcodes: lines.filter((l) => l.ev === 'start').length,
    worstRecoveryMs,
    warnings: lines.reduce<Record<string, number>>((acc, l) => {
      if (l.ev === 'warn') acc[l.msg] = (acc[l.msg] ?? 0) + 1
      return acc
    }, {}),
  }
}
