import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { getRequestListener } from '@hono/node-server'
import {
  createMasterVideos,
  localOutputStore,
  type MasterVideo,
  type MasterVideos,
  memoryRepository,
} from '@mastervideo/core'
import { type TestTranscoderOptions, testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { Hono } from 'hono'
import { type MasterVideoRoutesOptions, masterVideoRoutes } from '../src/index.js'

/** A service on a temp directory, with a test transcoder. */
export interface Fixture {
  dir: string
  mv: MasterVideos
  /** Writes a clip of `payloadBytes` random bytes into the assets directory. */
  clip(name: string, payloadBytes?: number): Promise<string>
  /** Creates a job and runs it to `completed`; returns it and its output file's bytes. */
  completedJob(input?: {
    projectId?: string
    name?: string
    payloadBytes?: number
  }): Promise<{ record: MasterVideo; bytes: Buffer }>
  close(): Promise<void>
}

export async function fixture(
  transcoder: TestTranscoderOptions = {},
  options: { hideLocalPath?: boolean } = {},
): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-http-'))
  await mkdir(path.join(dir, 'assets'))
  const output = localOutputStore(path.join(dir, 'out'))
  // Without localPath the routes see the store as an object store would look: streams only.
  const { localPath: _hidden, ...streamsOnly } = output
  const mv = createMasterVideos({
    repository: memoryRepository(),
    transcoder: testTranscoder({ durationMs: 20, ...transcoder }),
    assets: (shot) => path.join(dir, 'assets', shot.assetId),
    output: options.hideLocalPath ? streamsOnly : output,
  })
  const worker = mv.worker({ heartbeatMs: 50, progressIntervalMs: 1 }).start()
  let clips = 0
  const clip = (name: string, payloadBytes = 4096) =>
    writeTestClip(path.join(dir, 'assets', name), {}, payloadBytes).then(() => name)
  return {
    dir,
    mv,
    clip,
    async completedJob(input = {}) {
      const shot = await clip(`clip-${++clips}.bin`, input.payloadBytes ?? 100_000)
      const job = await mv.create({
        projectId: input.projectId ?? 'p1',
        name: input.name ?? 'master',
        shots: [shot],
      })
      const record = await mv.waitFor(job.id, { pollMs: 20, timeoutMs: 20_000 })
      const bytes = readFileSync(output.localPath?.(record.output?.key ?? '') ?? '')
      return { record, bytes }
    },
    async close() {
      await worker.stop({ graceMs: 1000 })
      await mv.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A real HTTP server on 127.0.0.1 and a free port. */
export interface TestServer {
  url: string
  port: number
  server: http.Server
  close(): Promise<void>
}

export async function listen(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The routes mounted at `/api/projects` in a host Hono app, listening. */
export async function serveRoutes(mv: MasterVideos, options: MasterVideoRoutesOptions = {}) {
  const app = new Hono()
  app.route('/api/projects', masterVideoRoutes(mv, options))
  return listen(getRequestListener(app.fetch))
}

/** A raw HTTP exchange: exact status, headers and body bytes, nothing decoded or retried. */
export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** JSON body of a response. */
export const json = (res: RawResponse) => JSON.parse(res.body.toString('utf8'))
