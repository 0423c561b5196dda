import type { MasterVideo, Repository, TransitionEvent } from '@mastervideo/core'
import {
  clampLimit,
  clampProgress,
  decodeCursor,
  initialRecord,
  type TransitionRequest,
  toPage,
  transitionMethods,
  transitionWrite,
} from '@mastervideo/core/adapter'
import pg from 'pg'
import { isConnectionError, ORIGIN, storageError, storageFailure, validateSchemaName } from './errors.js'
import type { PgConnection, PgPool, PgQueryConfig } from './pg-types.js'
import { migratePostgres } from './postgres-migrations.js'
import { type MasterVideoRow, postgresRows, toDate } from './postgres-rows.js'
import { postgresStatements } from './postgres-statements.js'
import { encodeText } from './text-encoding.js'

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

// How many times a transition reads and writes again when another write
// landed between its read and its compare-and-set (a claim, a cancel).
const MAX_TRANSITION_ATTEMPTS = 5

// initialRecord needs a time, but the insert takes every time of a new job
// from the database clock: this one is never written.
const UNUSED_TIME = new Date(0)

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
  const sql = postgresStatements(schema)

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
        if (delay === undefined || !isConnectionError(error)) throw storageError(error, action)
        await sleep(delay)
      }
    }
  }

  async function one(action: string, query: PgQueryConfig): Promise<MasterVideo | null> {
    const [row] = await rows(action, query)
    return row ? postgresRows.toRecord(row) : null
  }

  async function current(id: string): Promise<MasterVideo | null> {
    return one('reading a job', sql.get([encodeText(id)]))
  }

  /**
   * Reads the job with the database's time, lets core compute the write, and
   * runs it as one compare-and-set. When that matches no row, another write
   * landed in between: read again, which plans a new write or throws the
   * reason (NOT_FOUND, LEASE_LOST, ILLEGAL_TRANSITION).
   */
  async function transition<E extends TransitionEvent>(request: TransitionRequest<E>): Promise<MasterVideo> {
    const action = `${request.event} of ${request.id}`
    for (let attempt = 1; ; attempt++) {
      const [found] = await rows(action, sql.current([encodeText(request.id)]))
      const current = found && found.id !== null ? postgresRows.toRecord(found) : null
      const now = toDate((found as unknown as { mv_now: unknown }).mv_now)
      const planned = transitionWrite(request, current, now, ORIGIN)
      const written = await one(action, sql.compareAndSet(postgresRows.compareAndSetValues(planned)))
      if (written) return written
      if (attempt === MAX_TRANSITION_ATTEMPTS) {
        throw storageFailure(`${request.id} kept changing during the ${request.event}; try again`, {
          retryable: true,
          details: { id: request.id, event: request.event },
        })
      }
    }
  }

  return {
    schema,
    ready,

    async create(input) {
      const record = initialRecord(input, UNUSED_TIME)
      const inserted = await one(
        `creating ${input.id}`,
        sql.insert([...postgresRows.values(record, sql.insertColumns), input.runAt ?? null]),
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
      throw storageFailure(`a different master video with id ${input.id} already exists`, {
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
      return toPage(
        page.map((row) => postgresRows.toRecord(row)),
        size,
      )
    },

    async claim({ workerId, leaseToken, leaseMs }) {
      const record = await one('claiming', sql.claim([encodeText(workerId), encodeText(leaseToken), leaseMs]))
      return record && { record, lease: { id: record.id, token: leaseToken, workerId } }
    },

    async heartbeat(lease, { leaseMs, progress }) {
      const clamped = progress === undefined ? null : clampProgress(progress)
      const record = await one(
        `heartbeat of ${lease.id}`,
        sql.heartbeat([encodeText(lease.id), encodeText(lease.token), leaseMs, clamped]),
      )
      if (record) return { ok: true, record }
      const now = await current(lease.id)
      return { ok: false, reason: now?.status === 'canceled' ? 'canceled' : 'lease_lost', record: now }
    },

    ...transitionMethods(transition),

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
