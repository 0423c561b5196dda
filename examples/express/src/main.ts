// An Express app with mastervideo mounted at /api/projects. README.md has the steps.
//
//   npm start                                          # once: renders the demo clips into data/assets/demo
//   npm start -w @mastervideo/example-express          # clips from data/assets/demo, or pass a folder
//
// Then, as user "alice" (token "alice-token", project "p1"):
//   curl -H 'authorization: Bearer alice-token' -H 'content-type: application/json' \
//        -d '{"name":"demo","shots":["01-bars.mp4","02-gradient.mp4"]}' http://127.0.0.1:3001/api/projects/p1/master-videos
import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'
import { createApp } from './app.js'

// `npm start -w` runs in this folder: relative paths are read from where the command was typed.
const from = process.env.INIT_CWD ?? '.'
const clips = path.resolve(from, process.argv[2] ?? 'data/assets/demo')
const data = path.resolve(from, process.env.DATA_DIR ?? 'data/express-example')
await mkdir(data, { recursive: true })
const mv = createMasterVideos({
  repository: sqliteRepository({ filename: path.join(data, 'express-example.sqlite') }),
  transcoder: ffmpegTranscoder(),
  assets: directoryAssets(clips),
  output: localOutputStore(path.join(data, 'master-videos')),
})
const worker = mv.worker().start()
const app = createApp(mv, {
  users: { 'alice-token': { name: 'alice', projects: ['p1'] } },
  signingSecret: process.env.SIGNING_SECRET ?? 'change-me-to-32-or-more-random-bytes!!',
})
const port = Number(process.env.PORT ?? 3001)
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
})
process.on('SIGTERM', () => {
  server.close()
  void worker.stop().then(() => mv.close())
})
