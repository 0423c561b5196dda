import { storageError, storageFailure, validateSchemaName } from './errors.js'
import type { PgPool } from './pg-types.js'
import { outboxMigrationSql } from './postgres-outbox-sql.js'

/** One step of the schema. Steps are never edited once released; a change is a new step. */
interface Migration {
  version: number
  description: string
  /** The DDL, given the validated (unquoted-safe) schema name. */
  sql: (schema: string) => string
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'master_videos table, claim and list indexes, NOTIFY trigger',
    sql: (s) => `
      CREATE TABLE ${s}.master_videos (
        id text COLLATE "C" PRIMARY KEY,
        project_id text COLLATE "C" NOT NULL,
        name text NOT NULL,
        shots json NOT NULL,
        status text NOT NULL
          CHECK (status IN ('created', 'processing', 'completed', 'failed', 'canceled')),
        progress double precision NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        run_at timestamptz NOT NULL,
        lease_owner text,
        lease_token text,
        lease_expires_at timestamptz,
        error json,
        output json,
        thumbnail_key text,
        encoding json NOT NULL,
        idempotency_key text COLLATE "C",
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        started_at timestamptz,
        completed_at timestamptz
      );

      -- One job per (project, idempotency key); create() relies on ON CONFLICT here.
      CREATE UNIQUE INDEX master_videos_idempotency
        ON ${s}.master_videos (project_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;

      -- claim() walks this in (run_at, created_at) order and stops at the first
      -- due row: finished jobs are not in it, and running ones are few.
      CREATE INDEX master_videos_claim
        ON ${s}.master_videos (run_at, created_at)
        WHERE status IN ('created', 'processing');

      -- list(): newest first within a project, keyset-paged on (created_at, id).
      CREATE INDEX master_videos_list
        ON ${s}.master_videos (project_id, created_at DESC, id DESC);

      -- Wakes listening workers, in the writing transaction, whenever a job
      -- enters 'created': new, retried by hand, released on shutdown, or
      -- requeued for a later retry (a spurious wake-up costs one claim query;
      -- comparing run_at here would miss jobs from a machine whose clock runs
      -- slightly ahead).
      CREATE FUNCTION ${s}.master_videos_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('mastervideo_' || TG_TABLE_SCHEMA, '');
          RETURN NULL;
        END
      $$;
      CREATE TRIGGER master_videos_notify
        AFTER INSERT OR UPDATE OF status ON ${s}.master_videos
        FOR EACH ROW WHEN (NEW.status = 'created')
        EXECUTE FUNCTION ${s}.master_videos_notify();
    `,
  },
  {
    version: 2,
    description: 'renditions, skipped renditions, HLS ladder and trace context columns',
    // Rows written before read back as no renditions, no ladder and no trace.
    sql: (s) => `
      ALTER TABLE ${s}.master_videos
        ADD COLUMN renditions json NOT NULL DEFAULT '[]',
        ADD COLUMN skipped_renditions json NOT NULL DEFAULT '[]',
        ADD COLUMN hls json,
        ADD COLUMN trace_context json;
    `,
  },
  {
    version: 3,
    description: 'webhook outbox: events, endpoints, deliveries',
    sql: outboxMigrationSql,
  },
]

/**
 * The schema version this release writes and reads.
 *
 * @example
 * ```ts
 * import { SCHEMA_VERSION } from '@mastervideo/adapter-postgres'
 *
 * console.log(`needs ${SCHEMA_VERSION} or older in mastervideo_migrations`)
 * ```
 */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0

/**
 * Brings `schema` up to {@link SCHEMA_VERSION}, creating it if needed. Runs in
 * one transaction under a transaction-scoped advisory lock keyed by the schema
 * name, so machines that start together wait for each other and the
 * migrations run once; the lock goes away with the transaction even if the
 * process dies. A database already at a newer version than this release knows
 * is refused and left untouched: an older worker must not write rows a newer
 * schema may no longer accept.
 *
 * @returns the version found before migrating.
 * @throws `STORAGE` on a newer schema, or when the database refuses a step.
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migratePostgres } from '@mastervideo/adapter-postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migratePostgres(pool, 'mastervideo') // e.g. from a deploy step
 * ```
 */
export async function migratePostgres(pool: PgPool, schema: string): Promise<number> {
  const s = validateSchemaName(schema)
  let client: Awaited<ReturnType<PgPool['connect']>>
  try {
    client = await pool.connect()
  } catch (error) {
    throw storageError(error, 'connecting to migrate')
  }
  let broken: Error | undefined
  try {
    await client.query({ text: 'BEGIN' })
    await client.query({
      text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
      values: [`mastervideo:${s}`],
    })
    await client.query({ text: `CREATE SCHEMA IF NOT EXISTS ${s}` })
    await client.query({
      text: `CREATE TABLE IF NOT EXISTS ${s}.mastervideo_migrations (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    })
    const { rows } = await client.query({
      text: `SELECT coalesce(max(version), 0)::int AS version FROM ${s}.mastervideo_migrations`,
    })
    const found = Number(rows[0]?.version ?? 0)
    if (found > SCHEMA_VERSION) {
      throw storageFailure(
        `schema "${s}" is at version ${found}, newer than this release understands (${SCHEMA_VERSION}); upgrade @mastervideo/adapter-postgres on this machine. Nothing was changed.`,
        { details: { schema: s, found, supported: SCHEMA_VERSION } },
      )
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= found) continue
      await client.query({ text: migration.sql(s) })
      await client.query({
        text: `INSERT INTO ${s}.mastervideo_migrations (version, description) VALUES ($1, $2)`,
        values: [migration.version, migration.description],
      })
    }
    await client.query({ text: 'COMMIT' })
    return found
  } catch (error) {
    await client.query({ text: 'ROLLBACK' }).catch((rollbackError: Error) => {
      broken = rollbackError
    })
    throw storageError(error, `migrating schema "${s}"`)
  } finally {
    client.release(broken ?? false)
  }
}
