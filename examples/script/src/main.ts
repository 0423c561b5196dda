// A folder of clips in, a master video out, progress printed:
//
//   npm start -w @mastervideo/example-script -- <clips-folder> [output-folder]
//
// The clips are joined in file-name order. Relative folders are read from
// where you ran the command (`npm start -w` runs this file inside
// examples/script, and npm says where it was started in INIT_CWD); the output
// goes to data/script-output there unless you name a folder (data/ is
// gitignored). This is the whole programmatic API:
// a repository (SQLite file), a transcoder (bundled ffmpeg), where clips come
// from, where the result goes, one job and one worker.
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'

const [clipsArg, outArg = path.join('data', 'script-output')] = process.argv.slice(2)
if (!clipsArg) {
  console.error('usage: npm start -w @mastervideo/example-script -- <clips-folder> [output-folder]')
  process.exit(2)
}
const startedIn = process.env.INIT_CWD ?? process.cwd()
const clipsDir = path.resolve(startedIn, clipsArg)
const outDir = path.resolve(startedIn, outArg)

const clips = (await readdir(clipsDir)).filter((name) => /\.(mp4|mov|mkv|webm)$/i.test(name)).sort()
if (clips.length === 0) {
  console.error(`no video files in ${clipsDir}`)
  process.exit(1)
}

await mkdir(outDir, { recursive: true })
const mv = createMasterVideos({
  repository: sqliteRepository({ filename: path.join(outDir, 'jobs.sqlite') }),
  transcoder: ffmpegTranscoder(),
  assets: directoryAssets(clipsDir),
  output: localOutputStore(outDir),
})
mv.on('processing', (job) => console.log(`started ${job.id} (attempt ${job.attempts})`))
mv.on('progress', (event) => console.log(`progress ${Math.round(event.progress * 100)}%`))

const worker = mv.worker().start()
const job = await mv.create({
  projectId: 'script',
  name: path.basename(path.resolve(clipsDir)),
  shots: clips,
})
try {
  const done = await mv.waitFor(job.id)
  const file = path.join(outDir, done.output?.key ?? '')
  console.log(
    `done: ${file} (${done.output?.strategy}, ${done.output?.durationSec.toFixed(2)} s, ${done.output?.size} bytes)`,
  )
} catch (error) {
  console.error(`failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await worker.stop()
  await mv.close()
}
