import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import {
  type AssetResolver,
  createMasterVideos,
  directoryAssets,
  type Logger,
  localOutputStore,
  type MasterVideos,
} from '@mastervideo/core'
import { assetNotFound } from './errors.js'
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
  }
}

/** The service as the standalone server and the worker command build it: SQLite, bundled ffmpeg, local files. */
export function standaloneService(paths: DataPaths, logger: Logger): MasterVideos {
  return createMasterVideos({
    repository: sqliteRepository({ filename: paths.database }),
    transcoder: ffmpegTranscoder(),
    assets: projectAssets(paths.assets),
    output: localOutputStore(paths.output),
    logger,
  })
}
