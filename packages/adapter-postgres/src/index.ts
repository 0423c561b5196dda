/**
 * `@mastervideo/adapter-postgres`: one job queue in PostgreSQL for every API
 * server and worker machine. `postgresRepository()` stores jobs (claims with
 * `FOR UPDATE SKIP LOCKED`, compare-and-set writes, database time, migrations
 * under an advisory lock); `postgresPoller()` wakes workers through
 * `LISTEN/NOTIFY` with an interval as a fallback.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-postgres pg`
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
 *   repository: postgresRepository({ connectionString }),
 *   transcoder,
 *   assets: directoryAssets('/mnt/shared/assets'),
 *   output: localOutputStore('/mnt/shared/master-videos'),
 * })
 * const worker = mv.worker({ poller: postgresPoller({ connectionString }) }).start()
 * ```
 *
 * @packageDocumentation
 */
export { channelName, validateSchemaName } from './errors.js'
export type {
  PgConnection,
  PgListenClient,
  PgPool,
  PgPoolClient,
  PgQueryable,
  PgQueryConfig,
  PgQueryResult,
} from './pg-types.js'
export { migratePostgres, SCHEMA_VERSION } from './postgres-migrations.js'
export { type PostgresPollerOptions, postgresPoller } from './postgres-poller.js'
export {
  POSTGRES_TIMEOUT_DEFAULTS,
  type PostgresRepository,
  type PostgresRepositoryOptions,
  postgresRepository,
} from './postgres-repository.js'
export { decodeText, encodeText } from './text-encoding.js'
