// stats() of one project searches the (project_id, status, created_at)
// index instead of scanning the table: EXPLAIN QUERY PLAN on 20,000 jobs.
import { describe, expect, it } from 'vitest'
import { sqliteRepository } from '../src/index.js'
import { tableNames } from '../src/sqlite-migrations.js'
import { statsScope, statsStatements } from '../src/sqlite-stats.js'

describe('stats query plan on 20,000 jobs', () => {
  it('one project, with or without since, never scans the whole table', async () => {
    const repo = sqliteRepository({ filename: ':memory:' })
    const db = repo.database
    db.prepare(
      `INSERT INTO mastervideo_jobs (id, project_id, name, shots, status, max_attempts, run_at, encoding,
         output, created_at, updated_at, started_at, completed_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
       SELECT 'master_' || i, 'p' || (i % 50), 'n', '[]',
         CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END, 3, i, '{}',
         '{"durationSec":2}', i, i, i + 1000, i + 3000 FROM n`,
    ).run()
    db.prepare('ANALYZE').run()
    for (const options of [{ projectId: 'p7' }, { projectId: 'p7', since: new Date(100) }]) {
      const scope = statsScope(options)
      for (const sql of Object.values(statsStatements(tableNames(), scope.where))) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(scope.params) as { detail: string }[])
          .map((row) => row.detail)
          .join('\n')
        expect(plan, sql).toMatch(/SEARCH mastervideo_jobs USING (COVERING )?INDEX mastervideo_jobs_project/)
        expect(plan, sql).not.toMatch(/SCAN mastervideo_jobs\b(?! USING)/)
      }
    }
    const stats = await repo.stats?.({ projectId: 'p7' })
    expect(stats?.total).toBe(400)
    expect(stats?.processing).toEqual({ count: 267, p50Ms: 2000, p95Ms: 2000 })
    await repo.close()
  })
})
