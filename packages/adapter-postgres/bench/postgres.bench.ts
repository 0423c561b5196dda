// Throughput and pickup latency of the PostgreSQL queue, side by side with
// pg-boss on the same throwaway server (PostgreSQL's default, durable
// settings), doing the same work: take one job, mark it done.
//
// - Throughput: 1,000 queued jobs drained by 1 and by 4 concurrent workers
//   (async loops in this process, each its own connection from a pool of the
//   same size for both), claim + complete vs pg-boss fetch + complete. Three
//   rounds, alternating which goes first, median reported: on a shared
//   machine one round alone mostly measures its neighbours' fsyncs.
// - Pickup latency: from create() returning (another "machine's" connection)
//   to core's worker reporting `processing`, woken by LISTEN/NOTIFY; the
//   reference is pg-boss's work() at its fastest polling (0.5 s).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { newJob, testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import PgBoss from 'pg-boss'
import { type BenchRow, percentile } from '../../../bench/harness.js'
import { postgresPoller, postgresRepository } from '../src/index.js'
import { startTestServer } from '../test/pg-server.js'

const JOBS = 1000
const ROUNDS = 3
const output = { key: 'k.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function drain(workers: number, takeOne: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (await takeOne()) done++
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  if (done !== JOBS) throw new Error(`drained ${done} of ${JOBS} jobs`)
  return done / seconds
}

const median = (values: number[]) => percentile(values, 50)

async function ours(url: string, workers: number, round: number): Promise<number> {
  const repo = postgresRepository(
    { connectionString: url },
    { schema: `bench_${workers}_${round}`, maxConnections: workers },
  )
  await repo.ready()
  for (let i = 0; i < JOBS; i += 100)
    await Promise.all(Array.from({ length: 100 }, () => repo.create(newJob())))
  const rate = await drain(workers, async () => {
    const claimed = await repo.claim({ workerId: 'bench', leaseToken: newLeaseToken(), leaseMs: 30_000 })
    if (!claimed) return false
    await repo.complete(claimed.lease, { output, thumbnailKey: null })
    return true
  })
  await repo.close()
  return rate
}

async function startBoss(url: string, schema: string, max: number): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema, max, supervise: false, schedule: false })
  boss.on('error', (error) => console.error('pg-boss:', error))
  await boss.start()
  return boss
}

async function pgBoss(url: string, workers: number, round: number): Promise<number> {
  const boss = await startBoss(url, `pgboss_${workers}_${round}`, workers)
  await boss.createQueue('bench')
  for (let i = 0; i < JOBS; i += 500) {
    await boss.insert(Array.from({ length: 500 }, () => ({ name: 'bench', data: { shots: ['a.mp4'] } })))
  }
  const rate = await drain(workers, async () => {
    const [job] = await boss.fetch('bench')
    if (!job) return false
    await boss.complete('bench', job.id)
    return true
  })
  await boss.stop({ graceful: false, wait: true })
  return rate
}

async function pickupOurs(url: string, dir: string, jobs: number): Promise<number[]> {
  const schema = 'bench_pickup'
  const clip = await writeTestClip(path.join(dir, 'clip.bin'), {}, 64)
  const mv = createMasterVideos({
    repository: postgresRepository({ connectionString: url }, { schema }),
    transcoder: testTranscoder({ durationMs: 1, steps: 1 }),
    assets: () => clip,
    output: localOutputStore(path.join(dir, 'out')),
  })
  // Jobs come from another connection, as from an API server on another machine.
  const other = postgresRepository({ connectionString: url }, { schema })
  await other.ready()
  mv.worker({ poller: postgresPoller({ connectionString: url, schema, intervalMs: 60_000 }) }).start()
  await sleep(300) // let the poller LISTEN
  const latencies: number[] = []
  for (let i = 0; i < jobs; i++) {
    const started = new Promise<number>((resolve) => mv.once('processing', () => resolve(performance.now())))
    const t0 = performance.now()
    const { record } = await other.create(newJob())
    latencies.push((await started) - t0)
    await mv.waitFor(record.id, { pollMs: 5 })
    await sleep(5 + Math.random() * 25)
  }
  await mv.close()
  await other.close()
  return latencies
}

async function pickupBoss(url: string, jobs: number): Promise<number[]> {
  const boss = await startBoss(url, 'pgboss_pickup', 4)
  await boss.createQueue('pickup')
  let onStart: (() => void) | null = null
  await boss.work('pickup', { pollingIntervalSeconds: 0.5 }, async () => {
    onStart?.()
  })
  const latencies: number[] = []
  for (let i = 0; i < jobs; i++) {
    const started = new Promise<number>((resolve) => {
      onStart = () => resolve(performance.now())
    })
    const t0 = performance.now()
    await boss.send('pickup', {})
    latencies.push((await started) - t0)
    await sleep(5 + Math.random() * 100)
  }
  await boss.stop({ graceful: false, wait: true })
  return latencies
}

export default async function postgresBench(): Promise<BenchRow[]> {
  const server = await startTestServer({ durable: true })
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-bench-'))
  try {
    const rows: BenchRow[] = []
    for (const workers of [1, 4]) {
      const mine: number[] = []
      const theirs: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) theirs.push(await pgBoss(server.url, workers, round))
        mine.push(await ours(server.url, workers, round))
        if (round % 2 === 1) theirs.push(await pgBoss(server.url, workers, round))
      }
      const value = median(mine)
      const reference = median(theirs)
      console.log(
        `${workers} worker(s), jobs/s per round: ours ${mine.map(Math.round)}, pg-boss ${theirs.map(Math.round)}`,
      )
      rows.push({
        name: `jobs claimed+completed/s, ${workers} worker${workers > 1 ? 's' : ''}`,
        value,
        unit: 'jobs/s',
        reference: { name: 'pg-boss fetch+complete', value: reference },
        higherIsBetter: true,
        goal: '>= 1.0x pg-boss',
      })
    }
    const ourLatency = await pickupOurs(server.url, dir, 200)
    const bossLatency = await pickupBoss(server.url, 30)
    for (const p of [50, 99]) {
      rows.push({
        name: `pickup p${p}, LISTEN/NOTIFY`,
        value: percentile(ourLatency, p),
        unit: 'ms',
        reference: { name: 'pg-boss work(), 0.5 s polling', value: percentile(bossLatency, p) },
        ...(p === 99 ? { goal: '< 50 ms on loopback' } : {}),
      })
    }
    return rows
  } finally {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
