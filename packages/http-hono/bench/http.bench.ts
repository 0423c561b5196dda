// Serving a 100 MB file: our video route against `send` (Express's
// res.sendFile), side by side in one run, with nginx on the same file as the
// ceiling. Each server runs in its own process; autocannon drives it from
// this one. Figures: requests/s of 64 KiB ranges at random offsets, MB/s of
// whole-file GETs, and the server's RSS growth under the whole-file load.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { type BenchRow, percentile } from '../../../bench/harness.js'

const FILE_BYTES = 100 * 1000 * 1000
const RANGE_BYTES = 64 * 1024
const DURATION_SEC = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const NGINX = '/usr/sbin/nginx'
const root = path.resolve(import.meta.dirname, '../../..')

interface Target {
  name: string
  url: string
  pid: number
  stop(): Promise<void>
}

async function writeFile100MB(file: string): Promise<void> {
  const handle = await open(file, 'w')
  const chunk = randomBytes(1024 * 1024)
  for (let written = 0; written < FILE_BYTES; written += chunk.length) {
    await handle.write(chunk, 0, Math.min(chunk.length, FILE_BYTES - written))
  }
  await handle.close()
}

async function nodeServer(kind: 'hono' | 'send', file: string): Promise<Target> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@mastervideo/source',
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'bench-servers.ts'),
      kind,
      file,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const [port] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
  const url =
    kind === 'hono'
      ? `http://127.0.0.1:${port}/api/projects/p1/master-videos/master_1_benchmark/video`
      : `http://127.0.0.1:${port}/`
  return { name: kind, url, pid: child.pid ?? 0, stop: () => kill(child, 'SIGTERM') }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return
  child.kill(signal)
  await once(child, 'exit')
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function nginxServer(dir: string, file: string): Promise<Target | null> {
  if (!existsSync(NGINX)) return null
  const prefix = path.join(dir, 'nginx')
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    await mkdir(path.join(prefix, sub), { recursive: true })
  const port = await freePort()
  await writeFile(
    path.join(prefix, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    location = /video { alias ${file}; default_type video/mp4; }
  }
}
`,
  )
  const child = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'inherit',
  })
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.destroy() === socket))
      socket.on('error', () => resolve(false))
    })
    if (up) break
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return {
    name: 'nginx',
    url: `http://127.0.0.1:${port}/video`,
    pid: child.pid ?? 0,
    stop: () => kill(child, 'SIGQUIT'),
  }
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

/** Requests/s of 64 KiB ranges at random offsets (every response checked to be a 206). */
async function ranges(target: Target, duration: number): Promise<number> {
  let wrong = 0
  const result = await autocannon({
    url: target.url,
    connections: 32,
    duration,
    requests: [
      {
        setupRequest: (req) => {
          const start = Math.floor(Math.random() * (FILE_BYTES - RANGE_BYTES))
          return { ...req, headers: { ...req.headers, range: `bytes=${start}-${start + RANGE_BYTES - 1}` } }
        },
        onResponse: (status) => {
          if (status !== 206) wrong++
        },
      },
    ],
  })
  if (wrong > 0 || result.errors > 0)
    throw new Error(`${target.name}: ${wrong} non-206, ${result.errors} errors`)
  return result.requests.average
}

/**
 * MB/s of whole-file GETs over 4 keep-alive connections, and the server's RSS
 * growth (MB) while serving them. Node's own client reads the bodies
 * (autocannon parses bodies in JavaScript and never finishes a 100 MB one).
 */
async function wholeFile(
  target: Target,
  duration = DURATION_SEC,
): Promise<{ mbps: number; rssGrowth: number }> {
  const idle = rssMB(target.pid)
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMB(target.pid))
  }, 100)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const deadline = performance.now() + duration * 1000
  let bytes = 0
  const started = performance.now()
  const download = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(target.url, { agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${target.name}: status ${res.statusCode}`))
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length
          })
          res.on('end', resolve)
          res.on('error', reject)
        })
        .on('error', reject)
    })
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < deadline) await download()
    }),
  )
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  agent.destroy()
  return { mbps: bytes / 1e6 / seconds, rssGrowth: peak - idle }
}

export default async function httpBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-http-bench-'))
  const file = path.join(dir, 'master_1_benchmark_1.mp4')
  await writeFile100MB(file)
  const targets: Target[] = []
  const samples = new Map<string, { rps: number[]; mbps: number[]; rssGrowth: number[] }>()
  try {
    for (const start of [
      () => nodeServer('hono', file),
      () => nodeServer('send', file),
      () => nginxServer(dir, file),
    ]) {
      const target = await start()
      if (!target) continue
      targets.push(target)
      samples.set(target.name, { rps: [], mbps: [], rssGrowth: [] })
      // Warm-up of both paths: JIT, page cache.
      await ranges(target, 2)
      await wholeFile(target, 2)
    }
    // The machine is shared: rounds alternate between the servers so a burst
    // of load elsewhere hits all of them, and each figure is the median.
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const sample = samples.get(target.name) as { rps: number[]; mbps: number[]; rssGrowth: number[] }
        sample.rps.push(await ranges(target, DURATION_SEC))
        const { mbps, rssGrowth } = await wholeFile(target)
        sample.mbps.push(mbps)
        sample.rssGrowth.push(rssGrowth)
      }
    }
  } finally {
    for (const target of targets) await target.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const figures = Object.fromEntries(
    [...samples].map(([name, s]) => [
      name,
      { rps: percentile(s.rps, 50), mbps: percentile(s.mbps, 50), rssGrowth: Math.max(...s.rssGrowth) },
    ]),
  )
  const {
    hono,
    send: sendFig,
    nginx,
  } = figures as Record<string, { rps: number; mbps: number; rssGrowth: number }>
  if (!hono || !sendFig) throw new Error('a server did not run')
  const rows: BenchRow[] = [
    {
      name: '64 KiB ranges at random offsets of 100 MB, 32 connections',
      value: hono.rps,
      unit: 'req/s',
      reference: { name: 'send', value: sendFig.rps },
      higherIsBetter: true,
      goal: '>= 1.0x send',
    },
    {
      name: 'whole-file GETs of 100 MB, 4 connections (node client)',
      value: hono.mbps,
      unit: 'MB/s',
      reference: { name: 'send', value: sendFig.mbps },
      higherIsBetter: true,
      goal: '>= 1.0x send',
    },
    {
      name: 'server RSS growth during whole-file GETs',
      value: hono.rssGrowth,
      unit: 'MB',
      reference: { name: 'send', value: sendFig.rssGrowth },
      goal: 'flat (tens of MB, not the file size)',
    },
  ]
  if (nginx) {
    rows.push(
      {
        name: '64 KiB ranges, against nginx (ceiling)',
        value: hono.rps,
        unit: 'req/s',
        reference: { name: 'nginx', value: nginx.rps },
        higherIsBetter: true,
      },
      {
        name: 'whole-file GETs, against nginx (ceiling)',
        value: hono.mbps,
        unit: 'MB/s',
        reference: { name: 'nginx', value: nginx.mbps },
        higherIsBetter: true,
      },
    )
  }
  return rows
}
