import './cjs-conditions.js'
import { describe, expect, it } from 'vitest'
import { postgresStatements } from '../src/postgres-statements.js'
import { usePostgres } from './helpers.js'

const db = usePostgres()

/** Fills a schema with 20,000 jobs: mostly finished history, some due, some running, some later. */
async function fill(schema: string): Promise<void> {
  await db.admin().query(
    `INSERT INTO ${schema}.master_videos (id, project_id, name, shots, status, max_attempts, run_at,
       lease_token, lease_expires_at, encoding, created_at, updated_at)
     SELECT 'master_' || i, 'p' || (i % 50), 'n', '[]', s.status, 3,
       now() + ((i % 7) - 3) * interval '1 minute',
       CASE WHEN s.status = 'processing' THEN md5(i::text) END,
       CASE WHEN s.status = 'processing' THEN now() + interval '1 minute' END,
       '{}', now() - i * interval '1 second', now()
     FROM generate_series(1, 20000) AS i,
       LATERAL (SELECT CASE WHEN i % 100 = 0 THEN 'created' WHEN i % 100 = 1 THEN 'processing'
         WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END AS status) AS s`,
  )
  await db.admin().query(`ANALYZE ${schema}.master_videos`)
}

async function plan(text: string, values: unknown[]): Promise<string> {
  const { rows } = await db.admin().query(`EXPLAIN ${text}`, values)
  return rows.map((r) => r['QUERY PLAN']).join('\n')
}

describe('query plans on 20,000 jobs', () => {
  it('claim walks the partial claim index, never the whole table', async () => {
    const repo = await db.repository()
    await fill(repo.schema)
    const claim = postgresStatements(repo.schema).claim(['w', 'token', 1000])
    const text = await plan(claim.text, claim.values ?? [])
    expect(text).toContain('master_videos_claim')
    expect(text).not.toMatch(/Seq Scan/)
    expect(text).toMatch(/LockRows/)
    // And it really claims the oldest due job.
    const { rows } = await db.admin().query(
      `SELECT id FROM ${repo.schema}.master_videos WHERE status = 'created' AND run_at <= now()
       ORDER BY run_at, created_at LIMIT 1`,
    )
    const claimed = await repo.claim({ workerId: 'w', leaseToken: 't', leaseMs: 1000 })
    expect(claimed?.record.id).toBe(rows[0].id)
    await repo.close()
  })

  it('list pages by the (project, created_at, id) index', async () => {
    const repo = await db.repository()
    await fill(repo.schema)
    const sql = postgresStatements(repo.schema)
    for (const query of [
      sql.list('p7', undefined, null, 21),
      sql.list('p7', 'failed', { createdAt: new Date(), id: 'master_9' }, 21),
    ]) {
      const text = await plan(query.text, query.values ?? [])
      expect(text).toContain('master_videos_list')
      expect(text).not.toMatch(/Seq Scan/)
    }
    await repo.close()
  })
})
