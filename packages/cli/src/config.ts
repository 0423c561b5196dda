import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { s3OutputStore } from '@mastervideo/adapter-s3'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import {
  type AssetResolver,
  createMasterVideos,
  directoryAssets,
  type Logger,
  localOutputStore,
  type MasterVideos,
  type OutputStore,
} from '@mastervideo/core'
import { assetNotFound } from './errors.js'
import { type S3Settings, s3Client, s3ProjectAssets, s3Settings } from './s3-config.js'
import { isSafeName } from './server/projects-api.js'

/** Where the standalone server and worker keep their files, all under one data folder. */
export interface DataPaths {
  root: string
  database: string
  output: string
  assets: string
  cache: string
}

/** The layout under `dataDir` (default `./data`, or `MASTERVIDEO_DATA`). */
export function dataPaths(dataDir = process.env.MASTERVIDEO_DATA ?? 'data'): DataPaths {
  const root = path.resolve(dataDir)
  return {
    root,
    database: path.join(root, 'mastervideo.sqlite'),
    output: path.join(root, 'master-videos'),
    assets: path.join(root, 'assets'),
    cache: path.join(root, 'cache'),
  }
}

/**
 * Assets of the standalone server: a shot's asset id is a file name inside its
 * job's project folder, so one project can never reach another's clips.
 */
export function projectAssets(assetsRoot: string): AssetResolver {
  return {
    resolve(shot, job) {
      if (!isSafeName(job.projectId)) {
        throw assetNotFound(`Project ${JSON.stringify(job.projectId)} has no asset folder`, {
          details: { projectId: job.projectId },
        })
      }
      return directoryAssets(path.join(assetsRoot, job.projectId)).resolve(shot, job)
    },
    // Lets a job with a missing clip be refused when it is created.
    async exists(shot, context) {
      if (!isSafeName(context.projectId)) return false
      return (
        (await directoryAssets(path.join(assetsRoot, context.projectId)).exists?.(shot, context)) ?? false
      )
    },
  }
}

/**
 * The service as the standalone server and the worker command build it:
 * SQLite, bundled ffmpeg, files in the data folder. With S3 settings
 * (`MASTERVIDEO_S3_BUCKET`, see {@link s3Settings}) the outputs are objects in
 * the bucket, and with `MASTERVIDEO_S3_ASSETS_PREFIX` the clips come from it too.
 *
 * @example
 * ```ts
 * const mv = standaloneService(dataPaths('data'), consoleLogger())
 * ```
 */
export function standaloneService(
  paths: DataPaths,
  logger: Logger,
  s3: S3Settings | null = s3Settings(),
): MasterVideos {
  let output: OutputStore = localOutputStore(paths.output)
  let assets = projectAssets(paths.assets)
  if (s3) {
    const client = s3Client(s3)
    output = s3OutputStore({
      client,
      bucket: s3.bucket,
      prefix: s3.prefix,
      tempDir: path.join(paths.root, 'tmp'),
    })
    if (s3.assetsPrefix !== undefined) assets = s3ProjectAssets(client, s3, paths.cache)
  }
  return createMasterVideos({
    repository: sqliteRepository({ filename: paths.database }),
    transcoder: ffmpegTranscoder(),
    assets,
    output,
    logger,
  })
}
