import type { MasterVideo, Outbox, Repository, TransitionEvent } from '@mastervideo/core'
import {
  clampLimit,
  clampProgress,
  decodeCursor,
  initialRecord,
  type TransitionRequest,
  toPage,
  transitionLanded,
  transitionMethods,
  transitionWrite,
} from '@mastervideo/core/adapter'
import pg from 'pg'
import {
  invalidOption,
  isCanceledStatement,
  isConnectionError,
  ORIGIN,
  storageError,
  storageFailure,
  validateSchemaName,
} from './errors.js'
import type { PgConnection, PgPool, PgQueryConfig } from './pg-types.js'
import { migratePostgres } from './postgres-migrations.js'
import { postgresOutbox } from './postgres-outbox.js'
import { type MasterVideoRow, postgresRows, toDate } from './postgres-rows.js'
import { postgresStatements } from './postgres-statements.js'
import { postgresStats } from './postgres-stats.js'
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
  /**
   * Client-side limit on waiting for any reply, in ms: a query that hears
   * nothing back (a network partition, a dead server) fails with a retryable
   * `STORAGE` error instead of hanging; the connection is discarded. Applies
   * to a pool you pass in too. Default 15000.
   */
  queryTimeoutMs?: number
  /**
   * Server-side `statement_timeout` in ms, set on every connection of a pool
   * the repository opens (set it on your own pool's config otherwise).
   * Shorter than `queryTimeoutMs`, so a slow statement is canceled by the
   * server, a known outcome, before the client gives up on it. Default 10000.
   */
  statementTimeoutMs?: number
  /** How long opening a connection may take, in ms, for a pool the repository opens. Default 5000. */
  connectionTimeoutMs?: number
  /**
   * Idle time in ms before TCP keepalive probes start on the repository's own
   * connections, so a peer that vanished is noticed in seconds, not the
   * operating system's two hours. Default 10000.
   */
  keepAliveInitialDelayMs?: number
}

/**
 * The defaults of {@link PostgresRepositoryOptions}' bounded waits, in ms.
 *
 * @example
 * ```ts
 * import { POSTGRES_TIMEOUT_DEFAULTS, postgresRepository } from '@mastervideo/adapter-postgres'
 *
 * // A worker on a flaky link: give up on a silent reply sooner than the default.
 * const repository = postgresRepository(
 *   { connectionString: 'postgres://app@db.internal/app' },
 *   { queryTimeoutMs: 5000, statementTimeoutMs: POSTGRES_TIMEOUT_DEFAULTS.statementTimeoutMs / 2 },
 * )
 * ```
 */
export const POSTGRES_TIMEOUT_DEFAULTS = {
  queryTimeoutMs: 15_000,
  statementTimeoutMs: 10_000,
  connectionTimeoutMs: 5_000,
  keepAliveInitialDelayMs: 10_000,
} as const

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
  /** The webhook outbox in the same schema (`outbox_*` tables); deliver it with `webhookDispatcher()`. */
  readonly outbox: Outbox
  /**
   * Resolves once the schema is migrated (every method waits for it anyway).
   * Rejects with `STORAGE` when the database is unreachable or its schema is
   * newer than this release; a failed attempt is retried by the next call.
   */
  ready(): Promise<void>
  /** Closes the pool if the repository opened it from a connection string; a pool you passed in stays open. */
  close(): Promise<void>
}

// How often a statement is tried again after the connection broke under it
// (or its reply never came), and the pauses between. A read or an idempotent
// write is simply re-sent; a claim or a transition first reads what its lost
// attempt did (see claim and transition below).
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
  const limits = { ...POSTGRES_TIMEOUT_DEFAULTS, ...definedOnly(options) }
  for (const field of Object.keys(POSTGRES_TIMEOUT_DEFAULTS) as (keyof typeof POSTGRES_TIMEOUT_DEFAULTS)[]) {
    const value = limits[field]
    if (!Number.isFinite(value) || value <= 0) {
      throw invalidOption(`${field} must be a positive number of ms, got ${value}`, { details: { field } })
    }
  }
  const pool: PgPool = owned
    ? openPool(connection.connectionString, options.maxConnections ?? 10, limits)
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

  /** One try of one statement, bounded by the query timeout; driver errors are thrown as they are. */
  async function send(query: PgQueryConfig): Promise<MasterVideoRow[]> {
    return (await pool.query({ ...query, query_timeout: limits.queryTimeoutMs }))
      .rows as unknown as MasterVideoRow[]
  }

  /** Whether a try may be repeated (after the pause of `attempt`), or the error is final. */
  function pauseBefore(attempt: number, error: unknown): number | null {
    const delay = RETRY_DELAYS_MS[attempt]
    return delay !== undefined && (isConnectionError(error) || isCanceledStatement(error)) ? delay : null
  }

  /** A read, or a write whose repetition changes nothing more: re-sent after a broken connection. */
  async function rows(action: string, query: PgQueryConfig): Promise<MasterVideoRow[]> {
    await ready()
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(query)
      } catch (error) {
        const delay = pauseBefore(attempt, error)
        if (delay === null) throw storageError(error, action)
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

  // Writes still running, by job: a caller may stop waiting for one (its own
  // timeout), but the write goes on until the query timeout ends it and may
  // still commit. A read of that job waits for them, so what it returns is
  // the outcome, never the row from before a write that lands a moment later.
  const writing = new Map<string, Set<Promise<unknown>>>()
  function tracked<T>(id: string, work: Promise<T>): Promise<T> {
    let set = writing.get(id)
    if (!set) {
      set = new Set()
      writing.set(id, set)
    }
    const entry = set
    entry.add(work)
    const done = () => {
      entry.delete(work)
      if (entry.size === 0 && writing.get(id) === entry) writing.delete(id)
    }
    work.then(done, done)
    return work
  }
  async function settled(id: string): Promise<void> {
    const pending = writing.get(id)
    if (pending) await Promise.allSettled([...pending])
  }

  /**
   * Reads the job with the database's time, lets core compute the write, and
   * runs it as one compare-and-set. When that matches no row, another write
   * landed in between: read again, which plans a new write or throws the
   * reason (NOT_FOUND, LEASE_LOST, ILLEGAL_TRANSITION).
   */
  function transition<E extends TransitionEvent>(request: TransitionRequest<E>): Promise<MasterVideo> {
    return tracked(request.id, runTransition(request))
  }

  async function runTransition<E extends TransitionEvent>(
    request: TransitionRequest<E>,
  ): Promise<MasterVideo> {
    const action = `${request.event} of ${request.id}`
    const id = encodeText(request.id)
    // The record a write planned when its reply was lost: it may have
    // committed, so the next read looks for exactly it before planning anew.
    let unknown: MasterVideo | null = null
    let conflicts = 0
    let broken = 0
    for (;;) {
      const [found] = await rows(action, unknown ? sql.currentLocked([id]) : sql.current([id]))
      const current = found && found.id !== null ? postgresRows.toRecord(found) : null
      // Our own write, committed before the reply was lost (or a complete
      // its caller repeated): that is the outcome, not LEASE_LOST.
      if (transitionLanded(request, current, unknown)) return current
      const now = toDate((found as unknown as { mv_now: unknown }).mv_now)
      const planned = transitionWrite(request, current, now, ORIGIN)
      let written: MasterVideoRow | undefined
      try {
        // The webhook event, when this write reports one, is written by the same statement.
        ;[written] = await send(
          outbox.compareAndSet(planned, sql.compareAndSet(postgresRows.compareAndSetValues(planned))),
        )
      } catch (error) {
        const delay = pauseBefore(broken++, error)
        if (delay === null) throw storageError(error, action)
        unknown = isCanceledStatement(error) ? null : planned.record
        await sleep(delay)
        continue
      }
      if (written) return postgresRows.toRecord(written)
      unknown = null
      if (++conflicts === MAX_TRANSITION_ATTEMPTS) {
        throw storageFailure(`${request.id} kept changing during the ${request.event}; try again`, {
          retryable: true,
          details: { id: request.id, event: request.event },
        })
      }
    }
  }

  const outbox = postgresOutbox(schema, ready, (query) =>
    pool.query({ ...query, query_timeout: limits.queryTimeoutMs }),
  )

  return {
    schema,
    ready,
    outbox: outbox.outbox,

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

    async get(id) {
      await settled(id)
      return current(id)
    },

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
      await ready()
      const token = encodeText(leaseToken)
      const taken = (row: MasterVideoRow | undefined) => {
        const record = row ? postgresRows.toRecord(row) : null
        return record && { record, lease: { id: record.id, token: leaseToken, workerId } }
      }
      for (let attempt = 0; ; attempt++) {
        try {
          const [row] = await send(sql.claim([encodeText(workerId), token, leaseMs]))
          return taken(row)
        } catch (error) {
          const delay = pauseBefore(attempt, error)
          if (delay === null) throw storageError(error, 'claiming')
          await sleep(delay)
          // The claim may have committed before its reply was lost: the job
          // it took carries our token. Claiming another would orphan it
          // until its lease expired, and spend one of its attempts.
          const [mine] = await rows('finding a lost claim', sql.byLeaseToken([token]))
          if (mine) return taken(mine)
        }
      }
    },

    async heartbeat(lease, { leaseMs, progress }) {
      const clamped = progress === undefined ? null : clampProgress(progress)
      const record = await tracked(
        lease.id,
        one(
          `heartbeat of ${lease.id}`,
          sql.heartbeat([encodeText(lease.id), encodeText(lease.token), leaseMs, clamped]),
        ),
      )
      if (record) return { ok: true, record }
      const now = await current(lease.id)
      return { ok: false, reason: now?.status === 'canceled' ? 'canceled' : 'lease_lost', record: now }
    },

    ...transitionMethods(transition),

    stats: (options) => postgresStats((query) => rows('reading statistics', query), sql.table, options),

    async delete(id) {
      return one(`deleting ${id}`, sql.delete([encodeText(id)]))
    },

    async close() {
      if (owned) await pool.end()
    },
  }
}

/**
 * A pool the repository owns, every wait bounded: connecting, the server's
 * statement time, and TCP keepalive on idle connections. Idle connections the
 * server drops are discarded quietly; the next query opens a fresh one.
 */
function openPool(
  connectionString: string,
  max: number,
  limits: { statementTimeoutMs: number; connectionTimeoutMs: number; keepAliveInitialDelayMs: number },
): PgPool {
  const pool = new pg.Pool({
    connectionString,
    max,
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveInitialDelayMs,
    connectionTimeoutMillis: limits.connectionTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
  })
  pool.on('error', () => {})
  return pool
}

/** The options that were given a value, so `undefined` does not override a default. */
function definedOnly(options: PostgresRepositoryOptions): Partial<typeof POSTGRES_TIMEOUT_DEFAULTS> {
  const picked: Record<string, number> = {}
  for (const field of Object.keys(POSTGRES_TIMEOUT_DEFAULTS)) {
    const value = (options as Record<string, unknown>)[field]
    if (value !== undefined) picked[field] = value as number
  }
  return picked
}
