import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newJob } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SqliteRepository, sqliteRepository } from '../src/index.js'
import { tableNames } from '../src/sqlite-migrations.js'
import { sqliteStatements } from '../src/sqlite-statements.js'

let dir: string
let repo: SqliteRepository
const sql = sqliteStatements(tableNames())

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-plan-'))
  repo = sqliteRepository({ filename: path.join(dir, 'plan.sqlite') })
  // A table with history: most jobs finished, a few live, several projects.
  for (let i = 0; i < 300; i++) {
    await repo.create(newJob({ projectId: `p${i % 5}`, runAt: new Date(Date.now() - 1000 + i) }))
  }
  for (let i = 0; i < 250; i++) {
    const claimed = await repo.claim({ workerId: 'w', leaseToken: `t${i}`, leaseMs: 60_000 })
    if (claimed && i % 2 === 0) await repo.fail(claimed.lease, { code: 'INPUT_INVALID', message: 'x' })
  }
})
afterAll(async () => {
  await repo.close()
  await rm(dir, { recursive: true, force: true })
})

function plan(statement: string, params: unknown): string[] {
  const rows = repo.database.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(params) as { detail: string }[]
  return rows.map((row) => row.detail)
}

const claimParams = { now: Date.now(), workerId: 'w', leaseToken: 't', expiresAt: Date.now() + 1000 }
const lists: [string, string, unknown[]][] = [
  ['list', sql.list(false, false), ['p1', 51]],
  ['list by status', sql.list(true, false), ['p1', 'created', 51]],
  ['list after a cursor', sql.list(false, true), ['p1', Date.now(), 'master_x', 51]],
  ['list by status after a cursor', sql.list(true, true), ['p1', 'failed', Date.now(), 'master_x', 51]],
]

function expectIndexed(details: string[], index: string): void {
  expect(details.join('\n')).toContain(`USING INDEX ${index}`)
  // No full scan of the table, and no sort of the matching rows in a temporary b-tree.
  for (const detail of details) {
    expect(detail).not.toMatch(/^SCAN /)
    expect(detail).not.toMatch(/TEMP B-TREE/)
  }
}

describe.each([
  ['without statistics', false],
  ['after ANALYZE', true],
])('query plans %s', (_, analyze) => {
  beforeAll(() => {
    if (analyze) repo.database.exec('ANALYZE')
  })

  it('the claim finds the oldest due job through the claim index', () => {
    const details = plan(sql.claim, claimParams)
    expectIndexed(details, 'mastervideo_jobs_claim')
    expect(details.join('\n')).toMatch(
      /SEARCH mastervideo_jobs USING INDEX mastervideo_jobs_claim \(run_at<\?\)/,
    )
  })

  it.each(lists)('%s reads one project newest first through an index', (_, statement, params) => {
    expectIndexed(
      plan(statement, params),
      statement.includes('status = ?') ? 'mastervideo_jobs_project_status' : 'mastervideo_jobs_project',
    )
  })
})
