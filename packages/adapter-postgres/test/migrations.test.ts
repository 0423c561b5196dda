import './cjs-conditions.js'
import { isMasterVideoError } from '@mastervideo/core'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { migratePostgres, postgresPoller, postgresRepository, SCHEMA_VERSION } from '../src/index.js'
import { usePostgres } from './helpers.js'

const db = usePostgres()

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (error: unknown) => (isMasterVideoError(error) ? error.code : `not a MasterVideoError: ${error}`),
  )
}

function codeOfSync(run: () => unknown): string | null {
  try {
    run()
    return null
  } catch (error) {
    return isMasterVideoError(error) ? error.code : `not a MasterVideoError: ${error}`
  }
}

describe('migrations', () => {
  it('runs once when many machines start together', async () => {
    const schema = db.schema()
    const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: db.url(), max: 2 }))
    const repos = pools.map((pool) => postgresRepository({ pool }, { schema }))
    await Promise.all(repos.map((repo) => repo.ready()))
    const { rows } = await db
      .admin()
      .query(`SELECT version FROM ${schema}.mastervideo_migrations ORDER BY version`)
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))
    // Every repository works on the one schema.
    const { record } = await repos[0]!.create({
      id: 'master_1_aaaaaaaa',
      projectId: 'p',
      name: 'n',
      shots: [{ assetId: 'a' }],
      maxAttempts: 3,
      encoding: {},
      idempotencyKey: null,
      runAt: new Date(),
    })
    expect((await repos[5]!.get(record.id))?.name).toBe('n')
    await Promise.all(pools.map((pool) => pool.end()))
  })

  it('upgrades a version 1 schema: old records read back unchanged, with no renditions, ladder or trace', async () => {
    const schema = db.schema()
    const repo = postgresRepository({ connectionString: db.url() }, { schema })
    const { record } = await repo.create({
      id: 'master_1_bbbbbbbb',
      projectId: 'p',
      name: 'old',
      shots: [{ assetId: 'a.mp4' }],
      maxAttempts: 3,
      encoding: { strategy: 'copy' },
      idempotencyKey: null,
    })
    await repo.close()
    // Turn the schema back into what version 1 wrote.
    await db.admin().query(`ALTER TABLE ${schema}.master_videos
      DROP COLUMN renditions, DROP COLUMN skipped_renditions, DROP COLUMN hls, DROP COLUMN trace_context`)
    await db
      .admin()
      .query(`DROP TABLE ${schema}.outbox_events, ${schema}.outbox_endpoints, ${schema}.outbox_deliveries`)
    await db.admin().query(`DELETE FROM ${schema}.mastervideo_migrations WHERE version > 1`)

    expect(await migratePostgres(db.admin(), schema)).toBe(1)
    const upgraded = postgresRepository({ connectionString: db.url() }, { schema })
    expect(await upgraded.get(record.id)).toEqual({
      ...record,
      renditions: [],
      skippedRenditions: [],
      hls: null,
      traceContext: null,
    })
    await upgraded.close()
  })

  it('is a no-op on an up-to-date schema and reports the version it found', async () => {
    const schema = db.schema()
    expect(await migratePostgres(db.admin(), schema)).toBe(0)
    expect(await migratePostgres(db.admin(), schema)).toBe(SCHEMA_VERSION)
  })

  it('refuses a schema newer than this release, with STORAGE, and changes nothing', async () => {
    const schema = db.schema()
    await migratePostgres(db.admin(), schema)
    await db
      .admin()
      .query(
        `INSERT INTO ${schema}.mastervideo_migrations (version, description) VALUES ($1, 'from the future')`,
        [SCHEMA_VERSION + 1],
      )
    await db.admin().query(`CREATE TABLE ${schema}.future_marker (x int)`)
    const before = await db
      .admin()
      .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])
    const repo = postgresRepository({ connectionString: db.url() }, { schema })
    const error = await repo.ready().catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('STORAGE')
    expect(String((error as Error).message)).toMatch(/newer than this release/)
    // Every method refuses too, rather than write rows an unknown schema may reject.
    expect(await codeOf(repo.get('master_1_x'))).toBe('STORAGE')
    const after = await db
      .admin()
      .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])
    expect(after.rows).toEqual(before.rows)
    const versions = await db.admin().query(`SELECT max(version) AS v FROM ${schema}.mastervideo_migrations`)
    expect(versions.rows[0].v).toBe(SCHEMA_VERSION + 1)
    await repo.close()
  })

  it('reports an unreachable database as a retryable STORAGE error', async () => {
    // Port 1 on loopback: nothing listens there.
    const repo = postgresRepository(
      { connectionString: 'postgres://postgres@127.0.0.1:1/postgres' },
      { schema: 'x' },
    )
    const error = await repo.ready().catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('STORAGE')
    expect((error as { retryable: boolean }).retryable).toBe(true)
    await repo.close()
  })
})

describe('schema names', () => {
  // What we tried: SQL injection in several shapes, quoting, case, a leading
  // digit, spaces, dashes, non-ASCII, NUL, the empty string, PostgreSQL's
  // reserved pg_ prefix, a name too long for the channel, and a number.
  const hostile: unknown[] = [
    'x"; DROP TABLE users; --',
    "x'; DROP SCHEMA public CASCADE; --",
    'public; DROP SCHEMA public',
    'a.b',
    '"quoted"',
    'Upper',
    '1abc',
    'a b',
    'a-b',
    'схема',
    'a\u0000b',
    '',
    'pg_catalog',
    'x'.repeat(49),
    42,
  ]

  it('refuses each one with VALIDATION, before touching the database', async () => {
    const { rows: before } = await db.admin().query('SELECT count(*)::int AS n FROM pg_namespace')
    for (const schema of hostile) {
      const label = JSON.stringify(schema)
      expect(
        codeOfSync(() => postgresRepository({ connectionString: db.url() }, { schema: schema as string })),
        label,
      ).toBe('VALIDATION')
      expect(
        codeOfSync(() => postgresPoller({ connectionString: db.url(), schema: schema as string })),
        label,
      ).toBe('VALIDATION')
      expect(await codeOf(migratePostgres(db.admin(), schema as string)), label).toBe('VALIDATION')
    }
    const { rows: after } = await db.admin().query('SELECT count(*)::int AS n FROM pg_namespace')
    expect(after[0].n).toBe(before[0].n)
    expect((await db.admin().query("SELECT to_regclass('public.users') AS t")).rows[0].t).toBeNull()
  })

  it('accepts ordinary names', () => {
    for (const schema of ['mastervideo', '_private', 'jobs_2', 'x'.repeat(48)]) {
      expect(() => postgresPoller({ connectionString: db.url(), schema })).not.toThrow()
    }
  })
})
