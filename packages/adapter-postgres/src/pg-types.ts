/**
 * The small structural subset of `pg` this package uses, so a host can hand
 * in its own `pg.Pool` (or anything shaped like one, such as a pool wrapped
 * for tracing) without this package caring which copy of `pg` made it.
 */

/** A query in `pg`'s config form; `name` makes it a prepared statement. */
export interface PgQueryConfig {
  text: string
  values?: unknown[]
  name?: string
  /** Client-side limit in ms on waiting for the reply (`pg`'s per-query `query_timeout`). */
  query_timeout?: number
}

/** What a query resolves to: only the rows are read. */
export interface PgQueryResult<Row = Record<string, unknown>> {
  rows: Row[]
  rowCount: number | null
}

/** Anything that runs a query: a pool or a checked-out client. */
export interface PgQueryable {
  query(config: PgQueryConfig): Promise<PgQueryResult>
}

/** A client checked out of a pool; `release(error)` discards a broken one. */
export interface PgPoolClient extends PgQueryable {
  release(error?: Error | boolean): void
}

/** A client that can receive notifications (the poller's listening connection). */
export interface PgListenClient extends PgPoolClient {
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'end', listener: () => void): unknown
  // biome-ignore lint/suspicious/noExplicitAny: matches EventEmitter, whose listeners take any arguments
  removeListener(event: 'notification' | 'error' | 'end', listener: (...args: any[]) => void): unknown
}

/**
 * The part of `pg.Pool` the repository uses. `new pg.Pool(...)` satisfies it.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import type { PgPool } from '@mastervideo/adapter-postgres'
 *
 * const pool: PgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * ```
 */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>
  end(): Promise<void>
}

/** Where to connect: the host's pool, or a connection string the package opens (and closes) itself. */
export type PgConnection = { pool: PgPool } | { connectionString: string }
