// stats() of one project reads that project's rows through the list index
// (project_id, created_at), never the whole table: checked with EXPLAIN on
// 20,000 jobs of 50 projects.
import './cjs-conditions.js'
import { describe, expect, it } from 'vitest'
import { statsQuery } from '../src/postgres-stats.js'
import { usePostgres } from './helpers.js'

const db = usePostgres()

describe('stats query plan on 20,000 jobs', () => {
  it('one project, with or without since, uses the list index', { timeout: 60_000 }, async () => {
    const repo = await db.repository()
    const table = `${repo.schema}.master_videos`
    await db.admin().query(
      `INSERT INTO ${table} (id, project_id, name, shots, status, max_attempts, run_at, encoding,
         output, created_at, updated_at, started_at, completed_at)
       SELECT 'master_' || i, 'p' || (i % 50), 'n', '[]',
         CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END, 3, now() - i * interval '1 second', '{}',
         '{"durationSec": 2}', now() - i * interval '1 second', now(), now() - i * interval '1 second' + interval '1 second',
         now() - i * interval '1 second' + interval '3 seconds'
       FROM generate_series(1, 20000) AS i`,
    )
    await db.admin().query(`ANALYZE ${table}`)
    for (const options of [
      { projectId: 'p7' },
      { projectId: 'p7', since: new Date(Date.now() - 3_600_000) },
    ]) {
      const query = statsQuery(table, options)
      const { rows } = await db.admin().query(`EXPLAIN ${query.text}`, query.values)
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n')
      expect(plan).toContain('master_videos_list')
      expect(plan).not.toMatch(/Seq Scan/)
    }
    const stats = await repo.stats?.({ projectId: 'p7' })
    expect(stats?.total).toBe(400)
    expect(stats?.processing).toEqual({ count: 267, p50Ms: 2000, p95Ms: 2000 })
    await repo.close()
  })
})
