/**
 * `@mastervideo/adapter-sqlite`: the embedded default `Repository` for
 * mastervideo, on one SQLite file shared safely by any number of worker
 * processes; a poller that wakes workers when another process writes; and an
 * asset resolver that reads clip paths from the host's own table.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-sqlite better-sqlite3`
 *
 * @example
 * ```ts
 * import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'
 * import type { Transcoder } from '@mastervideo/core'
 * import { sqlitePoller, sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * declare const transcoder: Transcoder // ffmpegTranscoder() from @mastervideo/adapter-ffmpeg
 * const repository = sqliteRepository({ filename: 'data/mastervideo.sqlite' })
 * const mv = createMasterVideos({
 *   repository,
 *   transcoder,
 *   assets: directoryAssets('assets'),
 *   output: localOutputStore('data/master-videos'),
 * })
 * mv.worker({ poller: sqlitePoller({ database: repository.database, intervalMs: 100 }) }).start()
 * ```
 *
 * @packageDocumentation
 */

export { type SqliteAssetsOptions, sqliteAssets } from './sqlite-assets.js'
export type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
export { SCHEMA_VERSION } from './sqlite-migrations.js'
export type { OpenOptions, SqliteSource } from './sqlite-open.js'
export { type SqlitePollerOptions, sqlitePoller } from './sqlite-poller.js'
export { type SqliteRepository, type SqliteRepositoryOptions, sqliteRepository } from './sqlite-repository.js'
