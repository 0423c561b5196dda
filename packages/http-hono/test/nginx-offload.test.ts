// The offload option through a real nginx, configured by the shipped example
// (examples/deploy/nginx.conf) with only its addresses and directory changed.
// nginx is the one thing npm cannot install: without it the tests skip with a
// note that the run's summary prints, except under CI=true, where they fail.
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { contentDisposition } from '../src/index.js'
import { type Fixture, fixture, json, request, serveRoutes, type TestServer } from './helpers.js'
import { type LadderFixture, ladderFixture } from './ladder-fixture.js'

/** Debian's nginx, else the first on PATH; `null` when there is none. */
function findNginx(): string | null {
  const candidates = [
    '/usr/sbin/nginx',
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => `${d}/nginx`),
  ]
  return (
    candidates.find((file) => {
      try {
        accessSync(file, constants.X_OK)
        return true
      } catch {
        return false
      }
    }) ?? null
  )
}

const NGINX = findNginx()
const CI = ['true', '1'].includes(process.env.CI ?? '')
/** Printed in the run's summary by scripts/test-support/skip-summary-reporter.ts. */
const SKIPPED = 'nginx offload test (nginx not installed; apt-get install nginx-light, or run with CI=true)'
const skipped = !NGINX && !CI
const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/deploy/nginx.conf')

let fx: Fixture
let node: TestServer
let nginx: ChildProcess
let nginxDir: string
let base: string
let record: MasterVideo
let bytes: Buffer
let spawnError: Error | undefined
/** A job with renditions and an HLS ladder, in the same store. */
let ladder: LadderFixture

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.destroy() === socket))
      socket.on('error', () => resolve(false))
    })
    if (open) return
    if (nginx.exitCode !== null || spawnError) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const log = (() => {
    try {
      return readFileSync(path.join(nginxDir, 'error.log'), 'utf8')
    } catch {
      return '(no error.log)'
    }
  })()
  throw new Error(`nginx did not start: ${spawnError?.message ?? log}`)
}

// CI installs nginx (Debian's nginx-light); a machine without it skips this file.
describe('offload to nginx (X-Accel-Redirect)', () => {
  beforeAll(async () => {
    if (skipped) return
    if (!NGINX)
      throw new Error('CI=true and nginx is not installed: apt-get install nginx-light (.ci/run does)')
    fx = await fixture()
    ;({ record, bytes } = await fx.completedJob({
      projectId: 'p1',
      name: 'Видео "1"',
      payloadBytes: 200_000,
    }))
    ladder = await ladderFixture({ output: fx.mv.output })
    const get: typeof fx.mv.get = (id, scope) =>
      id === ladder.record.id ? ladder.mv.get(id, scope) : fx.mv.get(id, scope)
    node = await serveRoutes(
      { ...fx.mv, get },
      {
        authorize: (c) => c.req.header('x-user') === 'alice',
        offload: { header: 'X-Accel-Redirect', prefix: '/_mastervideo/' },
      },
    )
    const port = await freePort()
    nginxDir = await mkdtemp(path.join(tmpdir(), 'mv-nginx-'))
    for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(nginxDir, dir))
    const outputDir = path.dirname(fx.mv.output.localPath?.('x') ?? '')
    const site = readFileSync(EXAMPLE, 'utf8')
      .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${node.port};`)
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replace('alias /var/lib/mastervideo/master-videos/;', `alias ${outputDir}/;`)
    expect(site).toContain(`alias ${outputDir}/;`) // the example still has the lines we swap
    await writeFile(path.join(nginxDir, 'site.conf'), site)
    await writeFile(
      path.join(nginxDir, 'nginx.conf'),
      `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fastcgi;
  uwsgi_temp_path ${nginxDir}/uwsgi;
  scgi_temp_path ${nginxDir}/scgi;
  include ${nginxDir}/site.conf;
}
`,
    )
    nginx = spawn(NGINX, ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'inherit',
    })
    nginx.once('error', (error) => {
      spawnError = error
    })
    await waitForPort(port)
    base = `http://127.0.0.1:${port}/api/projects/p1/master-videos/${record.id}`
  })

  beforeEach((ctx) => {
    if (skipped) ctx.skip(SKIPPED)
  })

  afterAll(async () => {
    if (nginx && nginx.exitCode === null && !spawnError) {
      nginx.kill('SIGQUIT')
      await new Promise((resolve) => nginx.once('exit', resolve))
    }
    await node?.close()
    await ladder?.close()
    await fx?.close()
    if (nginxDir) await rm(nginxDir, { recursive: true, force: true })
  })

  const alice = { 'x-user': 'alice' }

  it('Node answers an authorized request with the redirect header and no body', async () => {
    const direct = await request(`${node.url}/api/projects/p1/master-videos/${record.id}/video`, {
      headers: alice,
    })
    expect(direct.status).toBe(200)
    expect(direct.headers['x-accel-redirect']).toBe(`/_mastervideo/${record.output?.key}`)
    expect(direct.body.length).toBe(0)
  })

  it('nginx sends the bytes: whole file, ranges, validators, 304', async () => {
    const whole = await request(`${base}/video`, { headers: alice })
    expect(whole.status).toBe(200)
    expect(whole.body.equals(bytes)).toBe(true)
    expect(whole.headers['content-type']).toBe('video/mp4')
    expect(whole.headers['x-accel-redirect']).toBeUndefined() // never shown to the client
    expect(whole.headers.etag).toBeTruthy()

    const range = await request(`${base}/video`, { headers: { ...alice, Range: 'bytes=0-1' } })
    expect(range.status).toBe(206)
    expect(range.headers['content-range']).toBe(`bytes 0-1/${bytes.length}`)
    expect(range.body.equals(bytes.subarray(0, 2))).toBe(true)

    const cached = await request(`${base}/video`, {
      headers: { ...alice, 'If-None-Match': whole.headers.etag as string },
    })
    expect(cached.status).toBe(304)
  })

  it('the download keeps the Content-Disposition Node wrote', async () => {
    const res = await request(`${base}/download`, { headers: alice })
    expect(res.status).toBe(200)
    expect(res.body.equals(bytes)).toBe(true)
    // Exactly what Node sent (the name itself is tested in auth.test.ts).
    expect(res.headers['content-disposition']).toBe(contentDisposition(`${record.name}_${record.id}.mp4`))
    expect(res.headers['content-disposition']).toContain(
      "filename*=UTF-8''%D0%92%D0%B8%D0%B4%D0%B5%D0%BE%20%221%22_",
    )
  })

  it('Node still answers 403, 404 and "not ready"; the internal location is unreachable', async () => {
    const denied = await request(`${base}/video`)
    expect(denied.status).toBe(403)
    expect(json(denied)).toEqual({ error: 'Forbidden', code: 'FORBIDDEN' })
    const missing = await request(`${base.replace(record.id, 'master_0_missing0')}/video`, { headers: alice })
    expect(missing.status).toBe(404)
    const job = await fx.mv.create({ projectId: 'p1', name: 'later', shots: ['nothing.bin'] })
    await fx.mv.cancel(job.id)
    const notReady = await request(`${base.replace(record.id, job.id)}/video`, { headers: alice })
    expect(notReady.status).toBe(400)
    expect(notReady.body.toString()).toBe('{"error":"Video not ready","status":"canceled"}')
    const sneaky = await request(`${base.split('/api/')[0]}/_mastervideo/${record.output?.key}`)
    expect(sneaky.status).toBe(404)
  })

  it('nginx sends renditions and every HLS file with its media type', async () => {
    const job = base.replace(record.id, ladder.record.id)
    const rendition = await request(`${job}/renditions/120p/video`, { headers: alice })
    expect(rendition.status).toBe(200)
    expect(rendition.headers['content-type']).toBe('video/mp4')
    expect(rendition.body.equals(await ladder.bytes(ladder.record.renditions[1]?.key as string))).toBe(true)
    const types = { m3u8: 'application/vnd.apple.mpegurl', mp4: 'video/mp4', m4s: 'video/iso.segment' }
    for (const key of ladder.hlsKeys) {
      const res = await request(`${job}/hls/${key}`, { headers: alice })
      expect(res.status, key).toBe(200)
      expect(res.headers['content-type'], key).toBe(types[key.split('.').pop() as keyof typeof types])
      expect(res.body.equals(await ladder.bytes(key)), key).toBe(true)
    }
  })
})
