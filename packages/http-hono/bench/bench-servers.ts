// One server process of the HTTP benchmark: `hono` (our routes, over
// @hono/node-server) or `send` (what Express's res.sendFile uses), serving
// the same file. Run by http.bench.ts in its own process so the load
// generator and the server do not share an event loop.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { getRequestListener } from '@hono/node-server'
import { createMasterVideos, localOutputStore, memoryRepository, type Transcoder } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import send from 'send'
import { masterVideoRoutes } from '../src/index.js'

const [kind, file] = process.argv.slice(2) as ['hono' | 'send', string]

async function honoListener(): Promise<http.RequestListener> {
  const repository = memoryRepository()
  const mv = createMasterVideos({
    repository,
    transcoder: {} as Transcoder, // never runs: the job is completed by hand below
    assets: () => file,
    output: localOutputStore(path.dirname(file)),
  })
  await repository.create({
    id: 'master_1_benchmark',
    projectId: 'p1',
    name: 'bench',
    shots: [{ assetId: 'a' }],
    maxAttempts: 1,
    encoding: {},
    idempotencyKey: null,
    runAt: new Date(0),
  })
  const claimed = await repository.claim({ workerId: 'bench', leaseToken: newLeaseToken(), leaseMs: 60_000 })
  if (!claimed) throw new Error('no job to claim')
  const stat = await mv.output.stat(path.basename(file))
  await repository.complete(claimed.lease, {
    output: {
      key: path.basename(file),
      size: stat?.size ?? 0,
      durationSec: 1,
      width: 2,
      height: 2,
      strategy: 'copy',
    },
    thumbnailKey: null,
  })
  return getRequestListener(masterVideoRoutes(mv, { basePath: '/api/projects' }).fetch)
}

const listener: http.RequestListener =
  kind === 'hono' ? await honoListener() : (req, res) => send(req, file).pipe(res)
const server = http.createServer(listener)
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
})
