// Serving a 100 MB file: our video route against `send` (Express's
// res.sendFile), side by side in one run, with nginx on the same file as the
// ceiling. Each server runs in its own process. The load generator is wrk
// (C, one thread) when /usr/bin/wrk exists, pinned to one core with the
// servers on the other; otherwise autocannon and Node's own client from this
// process, which saturate first on a small machine (the row names say which
// ran). Figures: requests/s of 64 KiB ranges at random offsets, MB/s of
// whole-file GETs, and the server's RSS growth under the whole-file load, in
// interleaved rounds (A B C, C B A, ...), each the median with its spread.
// Without nginx the nginx rows are left out with a line saying so, except
// under CI=true, where a missing nginx fails the run.
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
import {
  atMost,
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  ratioAtLeast,
} from '../../../bench/harness.js'

const RANGE_BYTES = 64 * 1024
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

async function writeRandomFile(file: string, fileBytes: number): Promise<void> {
  const handle = await open(file, 'w')
  const chunk = randomBytes(1024 * 1024)
  for (let written = 0; written < fileBytes; written += chunk.length) {
    await handle.write(chunk, 0, Math.min(chunk.length, fileBytes - written))
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
  if (!existsSync(NGINX)) {
    if (process.env.CI === 'true') throw new Error(`nginx is required under CI=true (${NGINX} is missing)`)
    console.log(`skipped: the nginx rows of http.bench.ts (${NGINX} missing; apt-get install nginx-light)`)
    return null
  }
  const prefix = path.join(dir, 'nginx')
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    await mkdir(path.join(prefix, sub), { recursive: true })
  const port = await freePort()
  // No `tcp_nopush`: with it, a 64 KiB range over loopback can wait for its
  // last segment (Nagle-style corking), which would measure the socket option,
  // not the server. No bench measures that difference; none is claimed.
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
function wrkScript(kind: 'ranges' | 'whole', fileBytes: number): string {
  const check =
    kind === 'ranges'
      ? `
function request()
  local start = math.random(0, ${fileBytes - RANGE_BYTES})
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
  // wrk takes whole seconds.
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${Math.max(1, Math.round(duration))}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    url,
  ]
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
async function ranges(
  target: Target,
  duration: number,
  scripts: Scripts,
  fileBytes: number,
): Promise<number> {
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
          const start = Math.floor(Math.random() * (fileBytes - RANGE_BYTES))
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
  duration: number,
  fileBytes: number,
): Promise<{ mbps: number; rssGrowth: number }> {
  const idle = rssMB(target.pid)
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMB(target.pid))
  }, 100)
  try {
    const mbps = scripts.whole
      ? await wholeFileWrk(target, scripts.whole, duration, fileBytes)
      : await wholeFileNode(target, duration)
    return { mbps, rssGrowth: peak - idle }
  } finally {
    clearInterval(sampler)
  }
}

// wrk counts every byte read, a body still in flight at the deadline too;
// it cannot check the 200 without buffering the body, so it checks that no
// answer was an error status and that the completed ones carried the file.
async function wholeFileWrk(
  target: Target,
  script: string,
  duration: number,
  fileBytes: number,
): Promise<number> {
  const run = await runWrk(script, target.url, 4, duration)
  if (run.errors > 0 || run.requests === 0 || run.bytes < run.requests * fileBytes)
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

async function writeScripts(dir: string, fileBytes: number): Promise<Scripts> {
  if (!useWrk) return {}
  const scripts = { ranges: path.join(dir, 'ranges.lua'), whole: path.join(dir, 'whole.lua') }
  await writeFile(scripts.ranges, wrkScript('ranges', fileBytes))
  await writeFile(scripts.whole, wrkScript('whole', fileBytes))
  return scripts
}

interface Samples {
  rps: number[]
  mbps: number[]
  rssGrowth: number[]
}

export default async function httpBench(ctx: BenchContext): Promise<BenchRow[]> {
  const fileBytes = ctx.quick ? 2 * 1000 * 1000 : 100 * 1000 * 1000
  const duration = Number(process.env.BENCH_SECONDS ?? (ctx.quick ? 0.5 : 5))
  const rounds = Number(process.env.BENCH_ROUNDS ?? ctx.rounds)
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-http-bench-'))
  const file = path.join(dir, 'master_1_benchmark_1.mp4')
  await writeRandomFile(file, fileBytes)
  const scripts = await writeScripts(dir, fileBytes)
  const targets: Target[] = []
  const samples = new Map<string, Samples>()
  try {
    // Started at once (each Node server takes a second to load), warmed up one by one.
    const started = await Promise.allSettled([
      nodeServer('hono', file),
      nodeServer('send', file),
      nginxServer(dir, file),
    ])
    for (const outcome of started)
      if (outcome.status === 'fulfilled' && outcome.value) targets.push(outcome.value)
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
    for (const target of targets) {
      samples.set(target.name, { rps: [], mbps: [], rssGrowth: [] })
      if (ctx.quick) continue
      // Warm-up of both paths: JIT, page cache.
      await ranges(target, 2, scripts, fileBytes)
      await wholeFile(target, scripts, 2, fileBytes)
    }
    // The machine is shared: interleaved rounds, so a burst of load elsewhere hits every server.
    await interleaved(
      rounds,
      Object.fromEntries(
        targets.map((target) => [
          target.name,
          async () => {
            const sample = samples.get(target.name) as Samples
            sample.rps.push(await ranges(target, duration, scripts, fileBytes))
            const { mbps, rssGrowth } = await wholeFile(target, scripts, duration, fileBytes)
            sample.mbps.push(mbps)
            sample.rssGrowth.push(rssGrowth)
            return mbps
          },
        ]),
      ),
    )
  } finally {
    for (const target of targets) await target.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const hono = samples.get('hono')
  const sendFig = samples.get('send')
  const nginx = samples.get('nginx')
  if (!hono || !sendFig) throw new Error('a server did not run')
  const where = pin ? `, servers on cpu ${SERVER_CPU}, client on cpu ${CLIENT_CPU}` : ''
  const rangesBy = useWrk ? `wrk 1 thread${where}` : 'autocannon'
  const wholeBy = useWrk ? `wrk 1 thread${where}` : 'node client'
  const fileMb = fileBytes / 1e6
  const rows: BenchRow[] = [
    {
      name: `64 KiB ranges at random offsets of ${fileMb} MB, 32 connections (${rangesBy})`,
      unit: 'req/s',
      subject: measured(hono.rps),
      reference: { name: 'send', value: measured(sendFig.rps) },
      better: 'higher',
      goal: ratioAtLeast(1),
      headline: true,
    },
    {
      name: `whole-file GETs of ${fileMb} MB, 4 connections (${wholeBy})`,
      unit: 'MB/s',
      subject: measured(hono.mbps),
      reference: { name: 'send', value: measured(sendFig.mbps) },
      better: 'higher',
      goal: ratioAtLeast(1),
      headline: true,
    },
    {
      name: 'server RSS growth during whole-file GETs: flat (tens of MB, not the file size)',
      unit: 'MB',
      subject: measured(hono.rssGrowth),
      reference: { name: 'send', value: measured(sendFig.rssGrowth) },
      better: 'lower',
      goal: atMost(64),
      headline: true,
    },
  ]
  if (nginx) {
    rows.push(
      {
        name: `64 KiB ranges, against nginx (ceiling; ${rangesBy})`,
        unit: 'req/s',
        subject: measured(hono.rps),
        reference: { name: 'nginx', value: measured(nginx.rps) },
        better: 'higher',
        goal: 'report',
        headline: true,
      },
      {
        name: `whole-file GETs, against nginx (ceiling; ${wholeBy})`,
        unit: 'MB/s',
        subject: measured(hono.mbps),
        reference: { name: 'nginx', value: measured(nginx.mbps) },
        better: 'higher',
        goal: 'report',
      },
    )
  }
  return rows
}
