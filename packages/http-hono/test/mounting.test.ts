// The same routes mounted four ways: in a Hono app, in Express 5, in Fastify 5, in node:http.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { getRequestListener } from '@hono/node-server'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { masterVideoRoutes } from '../src/index.js'
import { type Fixture, fixture, json, listen, request } from './helpers.js'

let fx: Fixture
let record: Awaited<ReturnType<Fixture['completedJob']>>['record']
let bytes: Buffer

beforeAll(async () => {
  fx = await fixture()
  ;({ record, bytes } = await fx.completedJob({ projectId: 'p1', payloadBytes: 50_000 }))
})
afterAll(() => fx.close())

/** What every host must get right: JSON with URLs under its mount point, ranges, creation, 404. */
async function exercise(host: { url: string; id: string; bytes: Buffer }, mount: string) {
  const { id, bytes } = host
  const job = `${host.url}${mount}/p1/master-videos/${id}`
  const got = await request(job)
  expect(got.status).toBe(200)
  expect(json(got).urls.video).toBe(`${mount}/p1/master-videos/${id}/video`)
  const range = await request(`${host.url}${json(got).urls.video}`, { headers: { Range: 'bytes=100-199' } })
  expect(range.status).toBe(206)
  expect(range.body.equals(bytes.subarray(100, 200))).toBe(true)
  const created = await request(`${host.url}${mount}/p1/master-videos`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'mounted', shots: ['m.bin'] }),
  })
  expect(created.status).toBe(201)
  expect(created.headers.location).toBe(`${mount}/p1/master-videos/${json(created).id}`)
  expect((await request(`${host.url}${mount}/p1/master-videos/master_0_missing0`)).status).toBe(404)
}

describe('mounting', () => {
  it('in a Hono app with app.route()', async () => {
    const app = new Hono()
    app.get('/health', (c) => c.text('ok'))
    app.route('/api/projects', masterVideoRoutes(fx.mv))
    const server = await listen(getRequestListener(app.fetch))
    try {
      await exercise({ url: server.url, id: record.id, bytes }, '/api/projects')
      expect((await request(`${server.url}/health`)).body.toString()).toBe('ok')
    } finally {
      await server.close()
    }
  })

  it('in Express 5, beside its own routes, through @hono/node-server', async () => {
    const root = path.resolve(import.meta.dirname, '../../..')
    const child = spawn(
      process.execPath,
      [
        '--conditions=@mastervideo/source',
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'hosts/express-host.ts'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
      const host = JSON.parse(line) as { url: string; id: string; file: string }
      await exercise({ url: host.url, id: host.id, bytes: readFileSync(host.file) }, '/api/projects')
      expect((await request(`${host.url}/health`)).body.toString()).toBe('express ok')
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })

  it('in a plain node:http server', async () => {
    const listener = getRequestListener(masterVideoRoutes(fx.mv, { basePath: '/videos' }).fetch)
    const server = await listen((req, res) => {
      if (req.url?.startsWith('/videos/')) return listener(req, res)
      res.writeHead(404).end('not ours')
    })
    try {
      await exercise({ url: server.url, id: record.id, bytes }, '/videos')
      expect((await request(`${server.url}/elsewhere`)).body.toString()).toBe('not ours')
    } finally {
      await server.close()
    }
  })

  it('in Fastify 5, beside its own routes, as docs/embedding.md shows', async () => {
    const fastify = Fastify()
    fastify.get('/health', async () => 'fastify ok')
    const videos = getRequestListener(masterVideoRoutes(fx.mv, { basePath: '/api/projects' }).fetch)
    await fastify.register(async (scope) => {
      // Keep the body unread: the routes read it from the raw request.
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null))
      scope.all('/api/projects/*', (request, reply) => {
        reply.hijack() // the listener writes the response itself
        void videos(request.raw, reply.raw)
      })
    })
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' })
    try {
      await exercise({ url, id: record.id, bytes }, '/api/projects')
      expect((await request(`${url}/health`)).body.toString()).toBe('fastify ok')
    } finally {
      await fastify.close()
    }
  })
})
