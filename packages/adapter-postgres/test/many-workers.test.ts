import './cjs-conditions.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newJob } from '@mastervideo/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { usePostgres } from './helpers.js'
import { startWorker, type WorkerProcess } from './processes.js'

const db = usePostgres()
let dir: string
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  )
}

describe('four worker processes on one PostgreSQL', () => {
  it('claim and complete 1,000 jobs, each exactly once; trickled jobs are picked up through NOTIFY', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-workers-'))
    const repo = await db.repository()
    const workers: WorkerProcess[] = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        startWorker({
          url: db.url(),
          schema: repo.schema,
          dir,
          workerId: `worker-${n}`,
          // No interval wake-up during the test: idle workers hear of new jobs only through NOTIFY.
          intervalMs: 10 * 60_000,
          leaseMs: 30_000,
          durationMs: 1,
        }),
      ),
    )
    const ids: string[] = []

    // 900 jobs at once: the workers race for them.
    for (let batch = 0; batch < 9; batch++) {
      const created = await Promise.all(Array.from({ length: 100 }, () => repo.create(newJob())))
      ids.push(...created.map((c) => c.record.id))
    }
    const finished = () => workers.reduce((n, w) => n + w.completed.length, 0)
    while (finished() < ids.length) await new Promise((resolve) => setTimeout(resolve, 50))

    // 100 more, one at a time while the workers idle: each needs a NOTIFY to start.
    for (let i = 0; i < 100; i++) {
      const { record } = await repo.create(newJob())
      ids.push(record.id)
      await new Promise<void>((resolve) => {
        const check = () =>
          workers.some((w) => w.processing.includes(record.id)) ? resolve() : setTimeout(check, 2)
        check()
      })
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10))
    }
    while (finished() < ids.length) await new Promise((resolve) => setTimeout(resolve, 50))
    await Promise.all(workers.map((w) => w.stop()))

    const processed = workers.flatMap((w) => w.processing)
    expect(processed).toHaveLength(1000)
    expect(new Set(processed)).toEqual(new Set(ids))
    const { rows } = await db
      .admin()
      .query(`SELECT status, attempts, count(*)::int AS n FROM ${repo.schema}.master_videos GROUP BY 1, 2`)
    expect(rows).toEqual([{ status: 'completed', attempts: 1, n: 1000 }])

    // Pickup latency of the trickled jobs, in database time (both stamps from now()).
    const latency = await db.admin().query(
      `SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM ${repo.schema}.master_videos
       WHERE id = ANY($1)`,
      [ids.slice(900)],
    )
    const ms = latency.rows.map((r) => Number(r.ms))
    console.log(
      `pickup latency through NOTIFY, 4 worker processes, 100 jobs: p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms; per worker: ${workers.map((w) => w.processing.length).join(', ')}`,
    )
    await repo.close()
  })
})
