import { storageFailure } from './errors.js'
import { checkTablePrefix, quoteIdentifier } from './sql-identifier.js'
import type { SqliteDatabase } from './sqlite-database.js'
import { outboxMigration, outboxTableNames } from './sqlite-outbox-sql.js'

/** The quoted names of this package's tables and indexes under one `tablePrefix`. */
export interface TableNames {
  prefix: string
  /** The jobs, one row per master video. */
  jobs: string
  /** One row per applied schema version. */
  migrations: string
  /** Unquoted, for `sqlite_master` lookups and `PRAGMA quick_check`. */
  jobsRaw: string
  migrationsRaw: string
  index: (suffix: string) => string
}

/** Validates the prefix and derives every name from it. */
export function tableNames(tablePrefix: unknown = 'mastervideo_'): TableNames {
  const prefix = checkTablePrefix(tablePrefix)
  return {
    prefix,
    jobs: quoteIdentifier(`${prefix}jobs`, 'tablePrefix'),
    migrations: quoteIdentifier(`${prefix}migrations`, 'tablePrefix'),
    jobsRaw: `${prefix}jobs`,
    migrationsRaw: `${prefix}migrations`,
    index: (suffix) => quoteIdentifier(`${prefix}jobs_${suffix}`, 'tablePrefix'),
  }
}

/** One schema step. Versions only grow; a released step is never edited. */
interface Migration {
  version: number
  statements: (t: TableNames) => string[]
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: (t) => [
      // Dates are integer milliseconds since the epoch; shots, encoding,
      // output and error are JSON text, parsed only in JavaScript.
      `CREATE TABLE ${t.jobs} (
        id TEXT PRIMARY KEY NOT NULL,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        shots TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('created', 'processing', 'completed', 'failed', 'canceled')),
        progress REAL NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        run_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_token TEXT,
        lease_expires_at INTEGER,
        error TEXT,
        output TEXT,
        thumbnail_key TEXT,
        encoding TEXT NOT NULL,
        idempotency_key TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        completed_at INTEGER
      )`,
      // The claim walks this in (run_at, created_at) order and stops at the
      // first due row. Only live jobs are in it, so finished history costs the
      // claim nothing; the only rows it skips are running jobs with live leases.
      `CREATE INDEX ${t.index('claim')} ON ${t.jobs} (run_at, created_at)
        WHERE status IN ('created', 'processing')`,
      `CREATE INDEX ${t.index('project')} ON ${t.jobs} (project_id, created_at DESC, id DESC)`,
      `CREATE INDEX ${t.index('project_status')} ON ${t.jobs} (project_id, status, created_at DESC, id DESC)`,
      `CREATE UNIQUE INDEX ${t.index('idempotency')} ON ${t.jobs} (project_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL`,
    ],
  },
  {
    version: 2,
    statements: (t) => [
      // Renditions and the HLS ladder a job made, and the trace context of
      // the request that created it. Rows written before read back as no
      // renditions, no ladder and no trace.
      `ALTER TABLE ${t.jobs} ADD COLUMN renditions TEXT NOT NULL DEFAULT '[]'`,
      `ALTER TABLE ${t.jobs} ADD COLUMN skipped_renditions TEXT NOT NULL DEFAULT '[]'`,
      `ALTER TABLE ${t.jobs} ADD COLUMN hls TEXT`,
      `ALTER TABLE ${t.jobs} ADD COLUMN trace_context TEXT`,
    ],
  },
  {
    version: 3,
    // The webhook outbox: events written with their transitions, delivered by any process.
    statements: (t) => outboxMigration(outboxTableNames(t.prefix)),
  },
]

/**
 * The newest schema version this build knows: a file whose
 * `<prefix>migrations` table records a higher one is refused at open.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { SCHEMA_VERSION } from '@mastervideo/adapter-sqlite'
 *
 * const db = new Database('data/mastervideo.sqlite')
 * const { version } = db.prepare('SELECT MAX(version) AS version FROM mastervideo_migrations').get() as { version: number }
 * if (version > SCHEMA_VERSION) console.log('written by a newer @mastervideo/adapter-sqlite')
 * ```
 */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0

/** The schema version stored in the file, or 0 when this package never wrote to it. Reads only. */
export function storedVersion(db: SqliteDatabase, t: TableNames): number {
  const exists = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(t.migrationsRaw)
  if (!exists) return 0
  const row = db.prepare(`SELECT MAX(version) AS version FROM ${t.migrations}`).get() as {
    version: number | bigint | null
  }
  return Number(row.version ?? 0)
}

/** Refuses a file a newer release of this package wrote: we cannot know its rules. */
export function refuseNewer(version: number, file: string): void {
  if (version > SCHEMA_VERSION) {
    throw storageFailure(
      `${file} has schema version ${version}, newer than the ${SCHEMA_VERSION} this version of @mastervideo/adapter-sqlite knows; upgrade the package (the file was not modified)`,
      { details: { file, version, supported: SCHEMA_VERSION } },
    )
  }
}

/**
 * Brings the schema to {@link SCHEMA_VERSION} inside one `BEGIN IMMEDIATE`
 * transaction. The write lock is taken before the version is read, so when
 * two processes open a new file at once the second waits, then sees the
 * first one's version and has nothing to do.
 */
export function migrate(db: SqliteDatabase, t: TableNames, file: string): void {
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS ${t.migrations} (
      version INTEGER PRIMARY KEY NOT NULL,
      applied_at INTEGER NOT NULL
    )`)
    const current = storedVersion(db, t)
    refuseNewer(current, file)
    const record = db.prepare(`INSERT INTO ${t.migrations} (version, applied_at) VALUES (?, ?)`)
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue
      for (const statement of migration.statements(t)) db.exec(statement)
      record.run(migration.version, Date.now())
    }
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}
