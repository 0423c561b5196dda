// One server process of the serving benchmark: the master-video routes over
// @hono/node-server with one completed job whose video is `key`, kept in a
// `local` folder or in S3 (`s3`), delivered by `proxy` or `redirect`. In its
// own process so the load generator does not share its event loop.
//
// argv: <local|s3> <proxy|redirect> <JSON { dir, key, endpoint?, bucket?, prefix? }>.
// Prints the port on stdout once listening.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { S3Client } from '@aws-sdk/client-s3'
import { getRequestListener } from '@hono/node-server'
import {
  createMasterVideos,
  localOutputStore,
  memoryRepository,
  type OutputStore,
  type Transcoder,
} from '@mastervideo/core'
import { masterVideoRoutes } from '@mastervideo/http-hono'
import { completeJobByHand } from '../../../bench/support/completed-job.js'
import { s3OutputStore } from '../src/index.js'

const [where, delivery, json] = process.argv.slice(2) as ['local' | 's3', 'proxy' | 'redirect', string]
const config = JSON.parse(json) as {
  dir: string
  key: string
  endpoint?: string
  bucket?: string
  prefix?: string
}

const output: OutputStore =
  where === 'local'
    ? localOutputStore(config.dir)
    : s3OutputStore({
        client: new S3Client({
          endpoint: config.endpoint,
          region: process.env.MASTERVIDEO_S3_REGION ?? 'us-east-1',
          forcePathStyle: process.env.MASTERVIDEO_S3_FORCE_PATH_STYLE !== '0',
          ...(process.env.MASTERVIDEO_S3_ENDPOINT
            ? {}
            : { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
        }),
        bucket: config.bucket as string,
        prefix: config.prefix,
        tempDir: config.dir,
      })
const repository = memoryRepository()
const mv = createMasterVideos({
  repository,
  transcoder: {} as Transcoder, // never runs: the job is completed by hand below
  assets: () => config.key,
  output,
})
await completeJobByHand(repository, output, { id: 'master_1_benchmark', projectId: 'p1', key: config.key })
const routes = masterVideoRoutes(mv, { basePath: '/api/projects', delivery })
const server = http.createServer(getRequestListener(routes.fetch))
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
})
