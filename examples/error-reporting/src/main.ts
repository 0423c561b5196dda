// A worker script that reports failed jobs to Sentry, through the service's
// `failed` event (src/sentry-failures.ts). Same shape as examples/script: a
// folder of clips in, one job, SQLite and the bundled ffmpeg.
//
//   SENTRY_DSN=https://<key>@<org>.ingest.sentry.io/<project> \
//     npm start -w @mastervideo/example-error-reporting -- <clips-folder> [data-folder]
//
// Without SENTRY_DSN the SDK sends nothing and the script still runs.
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, directoryAssets, isMasterVideoError, localOutputStore } from '@mastervideo/core'
import * as Sentry from '@sentry/node'
import { reportFailuresToSentry } from './sentry-failures.js'

// First, so the SDK sees everything after it.
Sentry.init({
  dsn: process.env.SENTRY_DSN,
  environment: process.env.SENTRY_ENVIRONMENT ?? 'development',
  release: process.env.SENTRY_RELEASE,
})

const [clipsArg, dataArg = path.join('data', 'error-reporting')] = process.argv.slice(2)
if (!clipsArg) {
  console.error('usage: npm start -w @mastervideo/example-error-reporting -- <clips-folder> [data-folder]')
  process.exit(2)
}
const startedIn = process.env.INIT_CWD ?? process.cwd()
const clipsDir = path.resolve(startedIn, clipsArg)
const dataDir = path.resolve(startedIn, dataArg)
const clips = (await readdir(clipsDir)).filter((name) => /\.(mp4|mov|mkv|webm)$/i.test(name)).sort()

await mkdir(dataDir, { recursive: true })
const mv = createMasterVideos({
  repository: sqliteRepository({ filename: path.join(dataDir, 'jobs.sqlite') }),
  transcoder: ffmpegTranscoder(),
  assets: directoryAssets(clipsDir),
  output: localOutputStore(path.join(dataDir, 'master-videos')),
})
reportFailuresToSentry(mv)

const worker = mv.worker().start()
const job = await mv.create({ projectId: 'errors', name: path.basename(clipsDir), shots: clips })
console.log(`job ${job.id}`)
try {
  const done = await mv.waitFor(job.id)
  console.log(`done: ${done.output?.key}`)
} catch (error) {
  // What a client would see: the code and the plain message, no stderr.
  console.error(`failed: ${isMasterVideoError(error) ? error.code : 'INTERNAL'}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await worker.stop()
  await mv.close()
  // Events are sent in the background: wait for them before the process ends.
  await Sentry.close(5000)
}
