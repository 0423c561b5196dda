import './cjs-conditions.js'
import { multiProcessClaimConformance, newJob, startClaimWorkers } from '@mastervideo/core/testing'
import { describe, expect, it } from 'vitest'
import type { ClaimRepositoryArgs } from './fixtures/claim-repository.js'
import { repoRoot, usePostgres } from './helpers.js'

const db = usePostgres()
// Worker processes run as a deployment runs them: plain Node with tsx, not under vitest.
const processOptions = {
  module: new URL('./fixtures/claim-repository.ts', import.meta.url),
  execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
  cwd: repoRoot,
  processes: 4,
}
const args = (schema: string): ClaimRepositoryArgs => ({ url: db.url(), schema, intervalMs: 10 * 60_000 })

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  )
}

multiProcessClaimConformance({
  name: 'postgres (one schema, 4 processes)',
  ...processOptions,
  jobs: 200,
  create: async () => {
    const repository = await db.repository()
    return { repository, args: args(repository.schema) }
  },
})

describe('four worker processes on one PostgreSQL', () => {
  it('claim and complete 1,000 jobs, each exactly once; trickled jobs are picked up through NOTIFY', async () => {
    const repo = await db.repository()
    // No interval wake-up during the test: idle processes hear of new jobs only through NOTIFY.
    const workers = await startClaimWorkers({ ...processOptions, args: args(repo.schema) })
    const ids: string[] = []
    try {
      workers.go()
      // 900 jobs at once: the processes race for them.
      for (let batch = 0; batch < 9; batch++) {
        const created = await Promise.all(Array.from({ length: 100 }, () => repo.create(newJob())))
        ids.push(...created.map((c) => c.record.id))
      }
      await workers.waitForCompleted(ids)

      // 100 more, one at a time while the processes idle: each needs a NOTIFY to start.
      for (let i = 0; i < 100; i++) {
        const { record } = await repo.create(newJob())
        ids.push(record.id)
        await workers.waitForCompleted([record.id], 10_000)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10))
      }
    } finally {
      await workers.stop()
    }

    expect(workers.errors).toEqual([])
    const claimed = workers.claims.map((c) => c.id)
    expect(claimed).toHaveLength(1000)
    expect(new Set(claimed)).toEqual(new Set(ids))
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
    const perProcess = processOptions.processes
    const counts = Array.from(
      { length: perProcess },
      (_, i) => workers.claims.filter((c) => c.workerId === `process-${i + 1}`).length,
    )
    console.log(
      `pickup latency through NOTIFY, ${perProcess} processes, 100 jobs: p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms; per process: ${counts.join(', ')}`,
    )
    await repo.close()
  })
})
