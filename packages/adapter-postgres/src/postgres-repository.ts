import {
  IllegalTransitionError,
  type Lease,
  LeaseLostError,
  type MasterVideo,
  NotFoundError,
  type Repository,
  StorageError,
  type TransitionEvent,
} from '@mastervideo/core'
import { clampLimit, decodeCursor, TRANSITIONS, toPage } from '@mastervideo/core/adapter'
import pg from 'pg'
import { isConnectionError, PREFIX, storageError, validateSchemaName } from './errors.js'
import type { PgConnection, PgPool, PgQueryConfig } from './pg-types.js'
import { migratePostgres } from './postgres-migrations.js'
import { type MasterVideoRow, toJson, toRecord } from './postgres-rows.js'
import { statements } from './postgres-statements.js'
import { encodeNullable, encodeText } from './text-encoding.js'

/** Options of {@link postgresRepository}. */
export interface PostgresRepositoryOptions {
  /**
   * The PostgreSQL schema that holds the tables, created if missing. Lower-case
   * letters, digits and `_` only. Default `mastervideo`.
   */
  schema?: string
  /** Pool size when the repository opens its own pool from a connection string. Default 10. */
  maxConnections?: number
}

/**
 * A {@link Repository} on PostgreSQL, with a handle on its migrations.
 *
 * @example
 * ```ts
 * import { postgresRepository } from '@mastervideo/adapter-postgres'
 *
 * const repository = postgresRepository({ connectionString: 'postgres://app@db.internal/app' })
 * await repository.ready() // fail at boot, not at the first request
 * ```
 */
export interface PostgresRepository extends Repository {
  /** The validated schema name. */
  readonly schema: string
  /**
   * Resolves once the schema is migrated (every method waits for it anyway).
   * Rejects with `STORAGE` when the database is unreachable or its schema is
   * newer than this release; a failed attempt is retried by the next call.
   */
  ready(): Promise<void>
  /** Closes the pool if the repository opened it from a connection string; a pool you passed in stays open. */
  close(): Promise<void>
}

// How often a statement is re-sent after the connection broke under it, and
// the pauses between. Every write is a compare-and-set, so a repeat of one
// that did land is refused (LEASE_LOST) instead of applied twice.
const RETRY_DELAYS_MS = [50, 250, 1000]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The error `cancel` stores, as core's `applyTransition` writes it (test/transitions.test.ts holds them equal). */
const CANCELED_ERROR = { code: 'CANCELED', message: 'Canceled on request' } as const

/**
 * Stores jobs in PostgreSQL, so every API server and worker machine pointed at
 * one database shares one queue. Workers claim with `FOR UPDATE SKIP LOCKED`;
 * every other write is a compare-and-set on (id, status, lease token); all
 * times (leases, `createdAt`, `updatedAt`) come from the database clock, so
 * leases hold across machines whose clocks differ. The schema is migrated on
 * start under an advisory lock.
 *
 * Pass your own `pg.Pool` (it stays yours: give it an `error` listener, as
 * `pg` asks of every pool) or a connection string (the repository opens a
 * pool and `close()` ends it).
 *
 * @example
 * ```ts
 * import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'
 * import type { Transcoder } from '@mastervideo/core'
 * import { postgresPoller, postgresRepository } from '@mastervideo/adapter-postgres'
 *
 * declare const transcoder: Transcoder // ffmpegTranscoder() from @mastervideo/adapter-ffmpeg
 * const connectionString = 'postgres://app@db.internal/app'
 * const mv = createMasterVideos({
 *   repository: postgresRepository({ connectionString }, { schema: 'mastervideo' }),
 *   transcoder,
 *   assets: directoryAssets('/mnt/shared/assets'),
 *   output: localOutputStore('/mnt/shared/master-videos'),
 * })
 * mv.worker({ poller: postgresPoller({ connectionString, schema: 'mastervideo' }) }).start()
 * ```
 */
export function postgresRepository(
  connection: PgConnection,
  options: PostgresRepositoryOptions = {},
): PostgresRepository {
  const schema = validateSchemaName(options.schema ?? 'mastervideo')
  const owned = !('pool' in connection)
  const pool: PgPool = owned
    ? openPool(connection.connectionString, options.maxConnections ?? 10)
    : connection.pool
  const sql = statements(schema)

  let migrated: Promise<void> | null = null
  function ready(): Promise<void> {
    migrated ??= migratePostgres(pool, schema).then(
      () => undefined,
      (error: unknown) => {
        migrated = null
        throw error
      },
    )
    return migrated
  }
  // Migrate at once, so a newer schema or an unreachable database shows up at
  // start; the error is rethrown to the first caller.
  ready().catch(() => {})

  async function rows(action: string, query: PgQueryConfig): Promise<MasterVideoRow[]> {
    await ready()
    for (let attempt = 0; ; attempt++) {
      try {
        return (await pool.query(query)).rows as unknown as MasterVideoRow[]
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt]
        if (delay === undefined || !isConnectionError(error)) throw storageError(action, error)
        await sleep(delay)
      }
    }
  }

  async function one(action: string, query: PgQueryConfig): Promise<MasterVideo | null> {
    const [row] = await rows(action, query)
    return row ? toRecord(row) : null
  }

  async function current(id: string): Promise<MasterVideo | null> {
    return one('reading a job', sql.get([encodeText(id)]))
  }

  /** Runs a write fenced by the lease; refuses with LEASE_LOST when it matched no row. */
  async function underLease(lease: Lease, event: string, query: PgQueryConfig): Promise<MasterVideo> {
    const written = await one(`${event} ${lease.id}`, query)
    if (written) return written
    const now = await current(lease.id)
    throw new LeaseLostError(`${PREFIX} lease on ${lease.id} is lost (${event} refused)`, {
      details: { id: lease.id, status: now?.status ?? null },
    })
  }

  /** Runs a status change by id; explains a refusal as NOT_FOUND or ILLEGAL_TRANSITION. */
  async function byId(id: string, event: TransitionEvent, query: PgQueryConfig): Promise<MasterVideo> {
    const written = await one(`${event} ${id}`, query)
    if (written) return written
    const now = await current(id)
    if (!now) throw new NotFoundError(`${PREFIX} no master video ${id}`, { details: { id } })
    throw new IllegalTransitionError(
      `${PREFIX} cannot ${event} a ${now.status} job (${id}); allowed from: ${TRANSITIONS[event].from.join(', ')}`,
      { details: { id, from: now.status, event } },
    )
  }

  const encodedToken = (lease: Lease) => encodeText(lease.token)

  return {
    schema,
    ready,

    async create(input) {
      const inserted = await one(
        `creating ${input.id}`,
        sql.insert([
          encodeText(input.id),
          encodeText(input.projectId),
          encodeText(input.name),
          toJson(input.shots),
          input.maxAttempts,
          input.runAt ?? null, // null: the database's now()
          toJson(input.encoding),
          encodeNullable(input.idempotencyKey),
        ]),
      )
      if (inserted) return { record: inserted, created: true }
      // ON CONFLICT DO NOTHING matched: the idempotency key (the usual case) or the id.
      if (input.idempotencyKey !== null) {
        const existing = await one(
          `reading idempotency key of ${input.id}`,
          sql.byIdempotencyKey([encodeText(input.projectId), encodeText(input.idempotencyKey)]),
        )
        if (existing) return { record: existing, created: false }
      }
      const same = await current(input.id)
      // Our own insert, repeated after the connection broke before its reply.
      if (
        same &&
        same.projectId === input.projectId &&
        same.name === input.name &&
        same.idempotencyKey === input.idempotencyKey
      ) {
        return { record: same, created: true }
      }
      throw new StorageError(`${PREFIX} a different master video with id ${input.id} already exists`, {
        details: { id: input.id },
      })
    },

    get: current,

    async list({ projectId, status, limit, cursor }) {
      const size = clampLimit(limit)
      const after = cursor ? decodeCursor(cursor) : null
      const page = await rows(
        `listing project ${projectId}`,
        sql.list(
          encodeText(projectId),
          status,
          after && { createdAt: new Date(after.createdAt), id: encodeText(after.id) },
          size + 1,
        ),
      )
      return toPage(page.map(toRecord), size)
    },

    async claim({ workerId, leaseToken, leaseMs }) {
      const record = await one('claiming', sql.claim([encodeText(workerId), encodeText(leaseToken), leaseMs]))
      return record && { record, lease: { id: record.id, token: leaseToken, workerId } }
    },

    async heartbeat(lease, { leaseMs, progress }) {
      const clamped = progress === undefined ? null : Math.min(1, Math.max(0, progress))
      const record = await one(
        `heartbeat of ${lease.id}`,
        sql.heartbeat([encodeText(lease.id), encodedToken(lease), leaseMs, clamped]),
      )
      if (record) return { ok: true, record }
      const now = await current(lease.id)
      return { ok: false, reason: now?.status === 'canceled' ? 'canceled' : 'lease_lost', record: now }
    },

    complete(lease, { output, thumbnailKey }) {
      return underLease(
        lease,
        'complete',
        sql.complete([
          encodeText(lease.id),
          encodedToken(lease),
          toJson(output),
          encodeNullable(thumbnailKey),
        ]),
      )
    },

    fail(lease, error, failOptions) {
      const id = encodeText(lease.id)
      return failOptions?.retryAt
        ? underLease(
            lease,
            'requeue',
            sql.requeue([id, encodedToken(lease), failOptions.retryAt, toJson(error), false]),
          )
        : underLease(lease, 'fail', sql.fail([id, encodedToken(lease), toJson(error)]))
    },

    release(lease) {
      return underLease(
        lease,
        'release',
        sql.requeue([encodeText(lease.id), encodedToken(lease), null, null, true]),
      )
    },

    retry(id) {
      return byId(id, 'retry', sql.retry([encodeText(id)]))
    },

    cancel(id) {
      return byId(id, 'cancel', sql.cancel([encodeText(id), toJson(CANCELED_ERROR)]))
    },

    async delete(id) {
      return one(`deleting ${id}`, sql.delete([encodeText(id)]))
    },

    async close() {
      if (owned) await pool.end()
    },
  }
}

/** A pool the repository owns. Idle connections the server drops are discarded quietly; the next query opens a fresh one. */
function openPool(connectionString: string, max: number): PgPool {
  const pool = new pg.Pool({ connectionString, max, keepAlive: true })
  pool.on('error', () => {})
  return pool
}
