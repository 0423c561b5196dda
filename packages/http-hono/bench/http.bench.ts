// Serving a 100 MB file: our video route against `send` (Express's
// res.sendFile), side by side in one run, with nginx on the same file as the
// ceiling. Each server runs in its own process. The load generator is wrk
// (C, one thread) when /usr/bin/wrk exists, pinned to one core with the
// servers on the other; otherwise autocannon and Node's own client from this
// process, which saturate first on a small machine (the row names say which
// ran). Figures: requests/s of 64 KiB ranges at random offsets, MB/s of
// whole-file GETs, and the server's RSS growth under the whole-file load.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { type BenchRow, percentile } from '../../../bench/harness.js'

const FILE_BYTES = 100 * 1000 * 1000
const RANGE_BYTES = 64 * 1024
const DURATION_SEC = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const NGINX = '/usr/sbin/nginx'
const WRK = '/usr/bin/wrk'
const TASKSET = '/usr/bin/taskset'
const useWrk = existsSync(WRK) && process.env.BENCH_CLIENT !== 'node'
// On 2 cores a load generator sharing the servers' core steals the time it
// measures: with wrk, the servers get core 0 and wrk core 1 (BENCH_PIN=0 to
// turn it off). Every server then has one core, as nginx's one worker has.
const pin = useWrk && existsSync(TASKSET) && availableParallelism() >= 2 && process.env.BENCH_PIN !== '0'
const SERVER_CPU = '0'
const CLIENT_CPU = '1'
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

/** Spawns a server, on {@link SERVER_CPU} when pinning. */
function spawnServer(command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return pin ? spawn(TASKSET, ['-c', SERVER_CPU, command, ...args], options) : spawn(command, args, options)
}

async function nodeServer(kind: 'hono' | 'send', file: string): Promise<Target> {
  const child = spawnServer(
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
  const [port] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ]
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
  // No `tcp_nopush`: with it, every 64 KiB range over loopback here waited
  // ~40 ms for its last segment (about 850 req/s at 32 connections, against
  // ~30000 without); whole-file throughput is the same either way.
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
  sendfile on; keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    location = /video { alias ${file}; default_type video/mp4; }
  }
}
`,
  )
  const child = spawnServer(
    NGINX,
    ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: 'inherit',
    },
  )
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

// wrk's Lua side, written into the temp dir at run time. Each thread has its
// own Lua state: `setup` (main state) numbers the threads so their random
// offsets differ, `response` counts answers that are not a 206 of exactly 64
// KiB, and `done` prints one JSON line this file parses. The whole-file run
// defines no `response`, so wrk never copies a 100 MB body into Lua.
function wrkScript(kind: 'ranges' | 'whole'): string {
  const check =
    kind === 'ranges'
      ? `
function request()
  local start = math.random(0, ${FILE_BYTES - RANGE_BYTES})
  return wrk.format(nil, nil, { ["Range"] = "bytes=" .. start .. "-" .. (start + ${RANGE_BYTES - 1}) })
end
function response(status, headers, body)
  if status ~= 206 or #body ~= ${RANGE_BYTES} then wrong = wrong + 1 end
end
`
      : ''
  return `local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(os.time() * 100 + id)
  wrong = 0
end
${check}
function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + (thread:get("wrong") or 0) end
  local e = summary.errors
  io.write(string.format('MVBENCH {"requests":%.0f,"us":%.0f,"bytes":%.0f,"wrong":%.0f,"errors":%.0f}\\n',
    summary.requests, summary.duration, summary.bytes, wrong, e.connect + e.read + e.write + e.status + e.timeout))
end
`
}

interface WrkSummary {
  requests: number
  us: number
  bytes: number
  wrong: number
  errors: number
}

/** One wrk run (one thread, on {@link CLIENT_CPU} when pinning) against `url`. */
async function runWrk(
  script: string,
  url: string,
  connections: number,
  duration: number,
): Promise<WrkSummary> {
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--timeout', '10s', '-s', script, url]
  const child = pin ? spawn(TASKSET, ['-c', CLIENT_CPU, WRK, ...args]) : spawn(WRK, args)
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  const line = /^MVBENCH (.*)$/m.exec(out)?.[1]
  if (code !== 0 || !line) throw new Error(`wrk exited with ${code}:\n${out}`)
  return JSON.parse(line) as WrkSummary
}

/** Requests/s of 64 KiB ranges at random offsets (every response checked to be a 206). */
async function ranges(target: Target, duration: number, scripts: Scripts): Promise<number> {
  if (scripts.ranges) {
    const run = await runWrk(scripts.ranges, target.url, 32, duration)
    if (run.wrong > 0 || run.errors > 0 || run.requests === 0)
      throw new Error(`${target.name}: ${run.wrong} wrong answers, ${run.errors} errors (wrk)`)
    return run.requests / (run.us / 1e6)
  }
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
 * growth (MB) while serving them.
 */
async function wholeFile(
  target: Target,
  scripts: Scripts,
  duration = DURATION_SEC,
): Promise<{ mbps: number; rssGrowth: number }> {
  const idle = rssMB(target.pid)
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMB(target.pid))
  }, 100)
  try {
    const mbps = scripts.whole
      ? await wholeFileWrk(target, scripts.whole, duration)
      : await wholeFileNode(target, duration)
    return { mbps, rssGrowth: peak - idle }
  } finally {
    clearInterval(sampler)
  }
}

// wrk counts every byte read, a body still in flight at the deadline too;
// it cannot check the 200 without buffering the body, so it checks that no
// answer was an error status and that the completed ones carried the file.
async function wholeFileWrk(target: Target, script: string, duration: number): Promise<number> {
  const run = await runWrk(script, target.url, 4, duration)
  if (run.errors > 0 || run.requests === 0 || run.bytes < run.requests * FILE_BYTES)
    throw new Error(`${target.name}: ${run.errors} errors, ${run.requests} files in ${run.bytes} bytes (wrk)`)
  return run.bytes / 1e6 / (run.us / 1e6)
}

// Node's own client reads the bodies (autocannon parses bodies in JavaScript
// and never finishes a 100 MB one).
async function wholeFileNode(target: Target, duration: number): Promise<number> {
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
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() < deadline) await download()
      }),
    )
  } finally {
    agent.destroy()
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000)
}

/** Paths of the wrk scripts, or none when autocannon and Node's client run. */
interface Scripts {
  ranges?: string
  whole?: string
}

async function writeScripts(dir: string): Promise<Scripts> {
  if (!useWrk) return {}
  const scripts = { ranges: path.join(dir, 'ranges.lua'), whole: path.join(dir, 'whole.lua') }
  await writeFile(scripts.ranges, wrkScript('ranges'))
  await writeFile(scripts.whole, wrkScript('whole'))
  return scripts
}

export default async function httpBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-http-bench-'))
  const file = path.join(dir, 'master_1_benchmark_1.mp4')
  await writeFile100MB(file)
  const scripts = await writeScripts(dir)
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
      await ranges(target, 2, scripts)
      await wholeFile(target, scripts, 2)
    }
    // The machine is shared: rounds alternate between the servers so a burst
    // of load elsewhere hits all of them, and each figure is the median.
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const sample = samples.get(target.name) as { rps: number[]; mbps: number[]; rssGrowth: number[] }
        sample.rps.push(await ranges(target, DURATION_SEC, scripts))
        const { mbps, rssGrowth } = await wholeFile(target, scripts)
        sample.mbps.push(mbps)
        sample.rssGrowth.push(rssGrowth)
      }
    }
  } finally {
    for (const target of targets) await target.stop()
    await rm(dir, { recursive: true, force: true })
  }
  // The rounds themselves, for the spread (stderr: the table stays pasteable).
  for (const [name, s] of samples)
    console.error(
      `${name}: ranges ${s.rps.map((v) => v.toFixed(0)).join(' / ')} req/s; whole file ${s.mbps.map((v) => v.toFixed(0)).join(' / ')} MB/s`,
    )
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
  const where = pin ? `, servers on cpu ${SERVER_CPU}, client on cpu ${CLIENT_CPU}` : ''
  const rangesBy = useWrk ? `wrk 1 thread${where}` : 'autocannon'
  const wholeBy = useWrk ? `wrk 1 thread${where}` : 'node client'
  const rows: BenchRow[] = [
    {
      name: `64 KiB ranges at random offsets of 100 MB, 32 connections (${rangesBy})`,
      value: hono.rps,
      unit: 'req/s',
      reference: { name: 'send', value: sendFig.rps },
      higherIsBetter: true,
      goal: '>= 1.0x send',
    },
    {
      name: `whole-file GETs of 100 MB, 4 connections (${wholeBy})`,
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
        name: `64 KiB ranges, against nginx (ceiling; ${rangesBy})`,
        value: hono.rps,
        unit: 'req/s',
        reference: { name: 'nginx', value: nginx.rps },
        higherIsBetter: true,
      },
      {
        name: `whole-file GETs, against nginx (ceiling; ${wholeBy})`,
        value: hono.mbps,
        unit: 'MB/s',
        reference: { name: 'nginx', value: nginx.mbps },
        higherIsBetter: true,
      },
    )
  }
  return rows
}
