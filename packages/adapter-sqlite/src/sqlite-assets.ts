import path from 'node:path'
import type { AssetResolver } from '@mastervideo/core'
import { resolveInsideRoot } from '@mastervideo/core/adapter'
import { assetNotFound, invalidOption, storageError } from './errors.js'
import { quoteIdentifier } from './sql-identifier.js'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'

/**
 * Options of {@link sqliteAssets}: where in the host's database a clip's path is.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { sqliteAssets } from '@mastervideo/adapter-sqlite'
 *
 * const assets = sqliteAssets({ database: new Database('app.sqlite'), table: 'assets', idColumn: 'id', pathColumn: 'path' })
 * ```
 */
export interface SqliteAssetsOptions {
  /** The host's connection. */
  database: SqliteDatabase
  /** The table of assets, e.g. `project_assets`. */
  table: string
  /** The column a shot's `assetId` is matched against, e.g. `asset_id`. */
  idColumn: string
  /** The column holding the clip's file path (absolute, or relative to `root`). */
  pathColumn: string
  /**
   * The column holding the asset's project. When set, a shot only finds
   * assets of its own job's project: another project's asset is not found.
   */
  projectColumn?: string
  /**
   * When set, relative paths resolve against it and any path (after following
   * symbolic links) outside it is refused. Without it, paths are trusted as
   * the host stored them, relative ones against the working directory.
   */
  root?: string
}

/**
 * An {@link AssetResolver} that looks a shot's clip up in the host's own
 * table (`SELECT ... FROM project_assets WHERE
 * asset_id = ?`). Table and column names are checked to be plain
 * identifiers and the statement is prepared at once, so a typo fails at
 * startup; the asset id is always a bound parameter. A missing row, a file
 * that does not exist or is not a regular file, or a path outside `root`
 * rejects with `ASSET_NOT_FOUND`.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { sqliteAssets } from '@mastervideo/adapter-sqlite'
 *
 * const assets = sqliteAssets({
 *   database: new Database('data/app.sqlite'),
 *   table: 'project_assets',
 *   idColumn: 'asset_id',
 *   pathColumn: 'file_path',
 *   projectColumn: 'project_id',
 *   root: 'data/assets',
 * })
 * ```
 */
export function sqliteAssets(options: SqliteAssetsOptions): AssetResolver {
  if (!options || typeof options.database?.prepare !== 'function') {
    throw invalidOption('sqliteAssets needs { database } (a better-sqlite3 Database)', {
      details: { field: 'database' },
    })
  }
  const table = quoteIdentifier(options.table, 'table')
  const id = quoteIdentifier(options.idColumn, 'idColumn')
  const file = quoteIdentifier(options.pathColumn, 'pathColumn')
  const project =
    options.projectColumn === undefined ? null : quoteIdentifier(options.projectColumn, 'projectColumn')
  const root = options.root === undefined ? null : path.resolve(options.root)

  let lookup: SqliteStatement
  try {
    lookup = options.database.prepare(
      `SELECT ${file} AS path FROM ${table} WHERE ${id} = ?${project ? ` AND ${project} = ?` : ''} LIMIT 1`,
    )
  } catch (error) {
    throw storageError(error, `cannot read assets from ${options.table}`, { table: options.table })
  }

  const notFound = (assetId: string, why: string, cause?: unknown) =>
    assetNotFound(`asset ${JSON.stringify(assetId)} ${why}`, {
      ...(cause === undefined ? {} : { cause }),
      details: { assetId },
    })

  return {
    async resolve(shot, job) {
      const { assetId } = shot
      let found: { path: unknown } | undefined
      try {
        found = (project ? lookup.get(assetId, job.projectId) : lookup.get(assetId)) as
          | { path: unknown }
          | undefined
      } catch (error) {
        throw storageError(error, `cannot look up asset ${JSON.stringify(assetId)}`, { assetId })
      }
      if (!found)
        throw notFound(
          assetId,
          `not found in ${options.table}${project ? ` for project ${job.projectId}` : ''}`,
        )
      if (typeof found.path !== 'string' || found.path === '' || found.path.includes('\u0000')) {
        throw notFound(assetId, `has no usable path in ${options.table}.${options.pathColumn}`)
      }
      // Host-stored paths may be absolute; with a root they must still land inside it.
      const file = await resolveInsideRoot(root, found.path, { trusted: true })
      if (!file.ok) throw notFound(assetId, file.reason, file.cause)
      return file.path
    },
  }
}
