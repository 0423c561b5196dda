import Database from 'better-sqlite3'

/**
 * The part of a `better-sqlite3` statement this package uses (see {@link SqliteDatabase}). Typed
 * structurally, as Kysely types its `SqliteDatabase`, so a host passes its own
 * `Database` without this package importing the driver's types.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import type { SqliteStatement } from '@mastervideo/adapter-sqlite'
 *
 * const statement: SqliteStatement = new Database(':memory:').prepare('SELECT 1 AS one')
 * ```
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
}

/**
 * The part of a `better-sqlite3` `Database` this package uses: any
 * `new Database(file)` fits.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import type { SqliteDatabase } from '@mastervideo/adapter-sqlite'
 *
 * const database: SqliteDatabase = new Database('data/app.sqlite')
 * ```
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement
  exec(sql: string): unknown
  close(): unknown
  /** True while a transaction is open on this connection. */
  readonly inTransaction: boolean
  /** True when the connection was opened read-only. */
  readonly readonly: boolean
  /** The file name the connection was opened with. */
  readonly name: string
}

/** Opens a connection with the `better-sqlite3` the host installed (a peer dependency). */
export function openDatabase(
  filename: string,
  options: { timeout: number; fileMustExist?: boolean },
): SqliteDatabase {
  return new Database(filename, options)
}
