import type { MasterVideo, NewMasterVideo, Outbox, Repository, TransitionEvent } from '@mastervideo/core'
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
import { invalidOption, ORIGIN, storageFailure } from './errors.js'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import { type OpenOptions, openSqlite, type SqliteSource } from './sqlite-open.js'
import { sqliteOutbox } from './sqlite-outbox.js'
import { type JobRow, sqliteRows } from './sqlite-rows.js'
import { sqliteStatements } from './sqlite-statements.js'
import { sqliteStats } from './sqlite-stats.js'
import { transactions, withBusyRetry } from './sqlite-transaction.js'

const LONE_SURROGATE = /\p{Cs}/u

/**
 * SQLite stores TEXT as UTF-8, where half a surrogate pair has no encoding:
 * it would come back as U+FFFD. Refuse it rather than store a different
 * string. (Shots, encoding, output and error are JSON, whose escapes keep it.)
 */
function refuseIllFormed(input: NewMasterVideo): void {
  for (const field of ['id', 'projectId', 'name', 'idempotencyKey'] as const) {
    const value = input[field]
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
      throw invalidOption(`${field} contains an unpaired UTF-16 surrogate, which SQLite cannot store`, {
        details: { field },
      })
    }
  }
}

/**
 * Options of {@link sqliteRepository}.
 *
 * @example
 * ```ts
 * import { sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * const repository = sqliteRepository({ filename: 'data/mastervideo.sqlite' }, { busyRetryMs: 30_000 })
 * ```
 */
export interface SqliteRepositoryOptions extends OpenOptions {
  /**
   * How long one call keeps retrying while other connections hold the write
   * lock, before it fails with a retryable `STORAGE` error. Default 10 000 ms.
   */
  busyRetryMs?: number
}

/**
 * A {@link Repository} on SQLite, with the connection it uses.
 *
 * @example
 * ```ts
 * import { sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * const repository = sqliteRepository({ filename: 'data/mastervideo.sqlite' })
 * const count = repository.database.prepare('SELECT COUNT(*) AS n FROM mastervideo_jobs').get()
 * await repository.close()
 * ```
 */
export interface SqliteRepository extends Repository {
  /** The connection: hand it to {@link sqlitePoller}, or read the tables yourself. */
  readonly database: SqliteDatabase
  /** The webhook outbox in the same file (`<prefix>outbox_*` tables); deliver it with `webhookDispatcher()`. */
  readonly outbox: Outbox
  /** Closes the connection if this package opened it (a host's `{ database }` stays open). */
  close(): Promise<void>
}

/**
 * A {@link Repository} in a SQLite file, safe for many worker processes on one
 * file: claims are one atomic `UPDATE ... RETURNING` under `BEGIN IMMEDIATE`,
 * every other write is a compare-and-set on (id, status, lease token), and a
 * busy database is retried without blocking the event loop.
 *
 * Pass `{ filename }` to let it open the file (WAL, `synchronous=NORMAL`), or
 * `{ database }` to share the host's `better-sqlite3` connection; its tables
 * are `mastervideo_jobs` and `mastervideo_migrations` unless `tablePrefix` says
 * otherwise. Opening migrates the schema and refuses, with `STORAGE`, a file
 * that is not SQLite, is corrupt, read-only, or was written by a newer version.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * const own = sqliteRepository({ filename: 'data/mastervideo.sqlite' })
 * const shared = sqliteRepository({ database: new Database('data/app.sqlite') }, { tablePrefix: 'mv_' })
 * ```
 */
export function sqliteRepository(
  source: SqliteSource,
  options: SqliteRepositoryOptions = {},
): SqliteRepository {
  const budgetMs = options.busyRetryMs ?? 10_000
  if (!Number.isFinite(budgetMs) || budgetMs < 0) {
    throw invalidOption(`busyRetryMs must be a number >= 0, got ${budgetMs}`, {
      details: { field: 'busyRetryMs' },
    })
  }
  const { db, owned, names } = openSqlite(source, options)
  const tx = transactions(db)
  const prepare = (sql: string): SqliteStatement => db.prepare(sql)

  const sql = sqliteStatements(names)
  const insert = prepare(sql.insert)
  const byKey = prepare(sql.byKey)
  const byId = prepare(sql.byId)
  const claim = prepare(sql.claim)
  const heartbeat = prepare(sql.heartbeat)
  const write = prepare(sql.write)
  const remove = prepare(sql.remove)
  const lists = new Map<string, SqliteStatement>()
  const listStatement = (withStatus: boolean, withCursor: boolean): SqliteStatement => {
    const key = `${withStatus}:${withCursor}`
    let statement = lists.get(key)
    if (!statement) {
      statement = prepare(sql.list(withStatus, withCursor))
      lists.set(key, statement)
    }
    return statement
  }

  const row = (statement: SqliteStatement, ...params: unknown[]) =>
    statement.get(...params) as JobRow | undefined
  const toRecord = (found: JobRow) => sqliteRows.toRecord(found)

  function run<T>(what: string, id: string | null, fn: () => T): Promise<T> {
    return withBusyRetry(fn, { budgetMs }, `cannot ${what}${id ? ` ${id}` : ''}`, id ? { id } : {})
  }

  /**
   * Reads the job and writes core's transition with the compare-and-set, in
   * one `BEGIN IMMEDIATE`: nobody can write between the read and the update.
   */
  function transition<E extends TransitionEvent>(request: TransitionRequest<E>): Promise<MasterVideo> {
    return run(request.event, request.id, () =>
      tx.immediate(() => {
        const found = row(byId, request.id)
        const current = found ? toRecord(found) : null
        // A complete repeated by its caller after a lost reply: already ours.
        if (transitionLanded(request, current)) return current
        const planned = transitionWrite(request, current, new Date(), ORIGIN)
        const written = row(write, ...sqliteRows.compareAndSetValues(planned))
        // The transaction already rules a concurrent write out; the check
        // stays so the guarantee does not rest on that alone.
        if (!written)
          throw storageFailure(`the write of ${request.id} changed nothing`, { details: { id: request.id } })
        const stored = toRecord(written)
        // The webhook event commits or rolls back with this transition.
        outbox.record(planned.expected.status, stored)
        return stored
      }),
    )
  }

  const stats = sqliteStats(db, names)
  const outbox = sqliteOutbox(db, names.prefix, tx, (what, fn) => run(what, null, fn))
  let closed = false
  return {
    database: db,
    outbox: outbox.outbox,

    async create(input) {
      refuseIllFormed(input)
      return run('create', input.id, () =>
        tx.immediate(() => {
          const record = initialRecord(input, new Date())
          const inserted = row(insert, ...sqliteRows.values(record))
          if (inserted) return { record: toRecord(inserted), created: true }
          const found = row(byKey, input.projectId, input.idempotencyKey)
          if (!found)
            throw new Error(`insert of ${input.id} changed nothing and no job has its idempotency key`)
          return { record: toRecord(found), created: false }
        }),
      )
    },

    async get(id) {
      return run('get', id, () => {
        const found = row(byId, id)
        return found ? toRecord(found) : null
      })
    },

    async list({ projectId, status, limit, cursor }) {
      const size = clampLimit(limit)
      const after = cursor ? decodeCursor(cursor) : null
      return run('list the jobs of', projectId, () => {
        const params: unknown[] = [projectId]
        if (status !== undefined) params.push(status)
        if (after) params.push(after.createdAt, after.id)
        params.push(size + 1)
        const rows = listStatement(status !== undefined, after !== null).all(...params) as JobRow[]
        return toPage(rows.map(toRecord), size)
      })
    },

    async claim({ workerId, leaseToken, leaseMs }) {
      return run('claim a job', null, () => {
        const now = Date.now()
        const claimed = tx.immediate(() =>
          row(claim, { now, workerId, leaseToken, expiresAt: now + leaseMs }),
        )
        if (!claimed) return null
        const record = toRecord(claimed)
        return { record, lease: { id: record.id, token: leaseToken, workerId } }
      })
    },

    async heartbeat(lease, { leaseMs, progress }) {
      return run('heartbeat', lease.id, () =>
        tx.immediate(() => {
          const now = Date.now()
          const clamped = progress === undefined ? null : clampProgress(progress)
          const renewed = row(heartbeat, now + leaseMs, clamped, now, lease.id, lease.token)
          if (renewed) return { ok: true as const, record: toRecord(renewed) }
          const current = row(byId, lease.id)
          const record = current ? toRecord(current) : null
          return {
            ok: false as const,
            reason: current?.status === 'canceled' ? ('canceled' as const) : ('lease_lost' as const),
            record,
          }
        }),
      )
    },

    ...transitionMethods(transition),

    stats: async (options) => run('read the statistics of', options?.projectId ?? null, () => stats(options)),

    async delete(id) {
      return run('delete', id, () => {
        const removed = tx.immediate(() => row(remove, id))
        return removed ? toRecord(removed) : null
      })
    },

    async close() {
      if (closed) return
      closed = true
      if (owned) db.close()
    },
  }
}
