// `nodeFastPath`: file bodies written straight to @hono/node-server's Node response.
// The RFC 9110 checklist runs against both paths (a real node-server, and
// app.request() where there is no Node response), host middleware headers reach
// both, and aborted or stalled clients release the file.
import { readdirSync, readlinkSync } from 'node:fs'
import type http from 'node:http'
import net from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { MasterVideo } from '@mastervideo/core'
import { type Context, Hono, type Next } from 'hono'
import { cors } from 'hono/cors'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { masterVideoRoutes } from '../src/index.js'
import { type Fixture, fixture, listen, request, type TestServer } from './helpers.js'
import { type RangeTarget, rangeChecklist } from './range-checklist.js'

let fx: Fixture
let small: { record: MasterVideo; bytes: Buffer }
let large: MasterVideo
/** Which path answered each file request: `true` when it was written straight to the Node response. */
const direct: boolean[] = []

/** A host app as a deployment has it: CORS and a custom header before the routes, a spy after them. */
function hostApp(): Hono {
  const app = new Hono()
  app.use(cors({ origin: 'https://player.example' }))
  app.use(async (c: Context, next: Next) => {
    c.header('X-Host', 'set-before')
    await next()
    if (c.req.path.endsWith('/video') || c.req.path.endsWith('/download')) {
      direct.push(c.res.headers.get('x-hono-already-sent') === 'true')
    }
  })
  app.route('/api/projects', masterVideoRoutes(fx.mv, { nodeFastPath: true }))
  return app
}

/** node:http in front of app.request(): the routes see no Node response and answer with a Response. */
function viaAppRequest(app: Hono): http.RequestListener {
  return async (req, res) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(name, value)
    const answer = await app.request(req.url ?? '/', { method: req.method ?? 'GET', headers })
    const out: Record<string, string | string[]> = {}
    for (const [name, value] of answer.headers) out[name] = value
    res.writeHead(answer.status, out)
    res.end(answer.body ? Buffer.from(await answer.arrayBuffer()) : undefined)
  }
}

const servers: Record<'node' | 'request', TestServer> = {} as never

beforeAll(async () => {
  fx = await fixture()
  small = await fx.completedJob({ payloadBytes: 100_000 })
  ;({ record: large } = await fx.completedJob({ payloadBytes: 16 * 1024 * 1024 }))
  servers.node = await listen(getRequestListener(hostApp().fetch))
  servers.request = await listen(viaAppRequest(hostApp()))
})
afterAll(async () => {
  await servers.node.close()
  await servers.request.close()
  await fx.close()
})

async function target(server: TestServer): Promise<RangeTarget> {
  const video = await fx.mv.output.stat(small.record.output?.key ?? '')
  const thumbnail = await fx.mv.output.stat(small.record.thumbnailKey ?? '')
  return {
    videoUrl: `${server.url}/api/projects/p1/master-videos/${small.record.id}/video`,
    bytes: small.bytes,
    mtimeMs: video?.mtimeMs ?? 0,
    thumbnailSize: thumbnail?.size ?? -1,
  }
}

for (const path of ['node', 'request'] as const) {
  describe(`the range checklist, ${path === 'node' ? 'on @hono/node-server' : 'through app.request()'}`, () => {
    let checked: RangeTarget
    beforeAll(async () => {
      checked = await target(servers[path])
    })
    rangeChecklist(() => checked)
  })
}

describe('host middleware headers and the path taken', () => {
  for (const [path, expected] of [
    ['node', true],
    ['request', false],
  ] as const) {
    it(`${path}: CORS and c.header() set before the route are sent with a range and a whole file`, async () => {
      const url = `${servers[path].url}/api/projects/p1/master-videos/${small.record.id}`
      direct.length = 0
      const origin = { Origin: 'https://player.example' }
      const ranged = await request(`${url}/video`, { headers: { ...origin, Range: 'bytes=10-19' } })
      const whole = await request(`${url}/download`, { headers: origin })
      expect(direct).toEqual([expected, expected])
      expect(ranged.status).toBe(206)
      expect(ranged.body.equals(small.bytes.subarray(10, 20))).toBe(true)
      expect(whole.status).toBe(200)
      expect(whole.body.equals(small.bytes)).toBe(true)
      for (const res of [ranged, whole]) {
        expect(res.headers['access-control-allow-origin']).toBe('https://player.example')
        expect(res.headers['x-host']).toBe('set-before')
        expect(res.headers['x-hono-already-sent']).toBeUndefined()
        expect(res.headers['cache-control']).toBe('private, no-cache')
      }
      expect(whole.headers['content-disposition']).toMatch(/^attachment;/)
    })
  }
})

/** Open descriptors of this process on `file`. */
function opened(file: string): number {
  let count = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) count++
    } catch {
      // closed between readdir and readlink
    }
  }
  return count
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  if (!check()) throw new Error(`gave up waiting for ${what}`)
}

describe.runIf(process.platform === 'linux')('on @hono/node-server, streamed bodies', () => {
  it('a stalled client holds the reads back, and an aborted one closes the file', async () => {
    const file = fx.mv.output.localPath?.(large.output?.key ?? '') ?? ''
    const responses: http.ServerResponse[] = []
    const track = (_req: unknown, res: http.ServerResponse) => responses.push(res)
    servers.node.server.on('request', track)
    const path = `/api/projects/p1/master-videos/${large.id}`
    const sockets = ['/download', '/video'].map((kind, i) => {
      const socket = net.connect(servers.node.port, '127.0.0.1')
      const range = i === 1 ? 'Range: bytes=1000-\r\n' : ''
      socket.write(`GET ${path}${kind} HTTP/1.1\r\nHost: x\r\n${range}\r\n`)
      return socket
    })
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('data', resolve))))
    for (const socket of sockets) socket.pause()
    await new Promise((resolve) => setTimeout(resolve, 300))
    servers.node.server.off('request', track)
    // 16 MiB would pile up in the response buffers without back-pressure.
    expect(responses).toHaveLength(2)
    for (const res of responses) {
      expect(res.writableFinished).toBe(false)
      expect(res.writableLength).toBeLessThan(1024 * 1024)
    }
    expect(opened(file)).toBe(2)
    for (const socket of sockets) socket.destroy()
    await until(() => opened(file) === 0, 'the file to close')
    const after = await request(`${servers.node.url}${path}/video`, { headers: { Range: 'bytes=0-9' } })
    expect(after.status).toBe(206)
  })
})
