// Shared by the test files: one throwaway server per test file (initdb and
// start take under a second), and a fresh schema per test, dropped after it.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InspectedRecord } from '@mastervideo/core/testing'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { type PostgresRepository, postgresRepository } from '../src/index.js'
import { startTestServer, type TestServer } from './pg-server.js'

/** The repository root, where `node_modules/tsx` lives (child processes resolve it from there). */
export const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

/** A schema name no other test uses. */
export function uniqueSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`
}

/** An application_name for one test's connections, so it can kill exactly those. */
export function uniqueApp(): string {
  return `mvtest_${randomBytes(4).toString('hex')}`
}

/** Starts the server for this file; `url()` and `admin` are usable in tests. */
export function usePostgres() {
  let server: TestServer
  let admin: pg.Pool
  const schemas = new Set<string>()
  beforeAll(async () => {
    server = await startTestServer()
    admin = new pg.Pool({ connectionString: server.url, max: 4 })
    admin.on('error', () => {})
  })
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin?.end()
    await server?.stop()
  })
  return {
    url: () => server.url,
    /** A connection string whose sessions carry `application_name`. */
    urlFor: (app: string) => `${server.url}?application_name=${app}`,
    admin: () => admin,
    /** A fresh schema, dropped when the file ends (or earlier with `drop`). */
    schema(): string {
      const schema = uniqueSchema()
      schemas.add(schema)
      return schema
    },
    async drop(schema: string) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      schemas.delete(schema)
    },
    /** A repository on a fresh schema, opened from the connection string. */
    async repository(app?: string): Promise<PostgresRepository> {
      const repo = postgresRepository(
        { connectionString: app ? `${server.url}?application_name=${app}` : server.url },
        { schema: this.schema() },
      )
      await repo.ready()
      return repo
    },
    /** The conformance suite's backdoor: the stored columns, read with raw SQL. */
    async inspect(repo: PostgresRepository, id: string): Promise<InspectedRecord | null> {
      const { rows } = await admin.query(
        `SELECT status, attempts, progress, lease_token FROM ${repo.schema}.master_videos WHERE id = $1`,
        [id],
      )
      const row = rows[0]
      return row
        ? { status: row.status, attempts: row.attempts, progress: row.progress, leaseToken: row.lease_token }
        : null
    },
    /** Ends the sessions of one application_name, as a server restart or network fault would. */
    async terminate(app: string): Promise<number> {
      const { rows } = await admin.query(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
        [app],
      )
      return rows.filter((r) => r.ok).length
    },
  }
}
