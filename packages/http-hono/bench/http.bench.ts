// Serving a 100 MB video the way a deployment does: the job in a SQLite file,
// the routes mounted as docs/embedding.md shows (session middleware, then
// `authorize` on every request, which carries an `Authorization` header),
// with the record cache and `nodeFastPath` on @hono/node-server. Against
// `send` (Express's res.sendFile, no authorization) side by side, and beside
// them the same routes with neither fast path nor cache ("plain") and nginx
// in front with `offload` (examples/deploy/nginx.conf, nginx sending the
// bytes after Node authorized). Each server runs in its own process.
//
// The load generator is wrk (C, one thread) when /usr/bin/wrk exists, pinned
// to one core with the servers on the other; otherwise autocannon and Node's
// own client from this process, which saturate first on a small machine (the
// row names say which ran). Figures: requests/s of 64 KiB ranges at random
// offsets, the server's CPU time per range (from /proc), MB/s of whole-file
// GETs and the server's RSS growth under them, in interleaved rounds (A B C
// D, D C B A, ...), each the median with its spread. Without nginx the
// offload rows are left out with a line saying so, except under CI=true,
// where a missing nginx fails the run.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { localOutputStore } from '@mastervideo/core'
import autocannon from 'autocannon'
import {
  atMost,
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  ratioAtLeast,
} from '../../../bench/harness.js'
import { completeJobByHand } from '../../../bench/support/completed-job.js'
import { writeRandomFile } from '../../../bench/support/random-file.js'
import { type ServerProcess, startServerProcess } from '../../../bench/support/server-process.js'

const RANGE_BYTES = 64 * 1024
const KEY = 'master_1_benchmark_1.mp4'
const JOB_PATH = '/api/projects/p1/master-videos/master_1_benchmark/video'
const AUTHORIZATION = 'Bearer bench-session'
const NGINX = '/usr/sbin/nginx'
const WRK = '/usr/bin/wrk'
const TASKSET = '/usr/bin/taskset'
const EXAMPLE_CONF = path.resolve(import.meta.dirname, '../../../examples/deploy/nginx.conf')
const useWrk = existsSync(WRK) && process.env.BENCH_CLIENT !== 'node'
// On 2 cores a load generator sharing the servers' core steals the time it
// measures: with wrk, the servers get core 0 and wrk core 1 (BENCH_PIN=0 to
// turn it off). Every server then has one core, as nginx's one worker has.
const pin = useWrk && existsSync(TASKSET) && availableParallelism() >= 2 && process.env.BENCH_PIN !== '0'
const SERVER_CPU = '0'
const CLIENT_CPU = '1'
const serverPrefix = pin ? [TASKSET, '-c', SERVER_CPU] : []

type Name = 'deployment' | 'plain' | 'send' | 'offload'

interface Target {
  name: Name
  url: string
  /** The process whose RSS and CPU time are read: the Node server (for offload, the one behind nginx). */
  pid: number
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** User plus system CPU seconds a process has used, every thread (the fs thread pool too). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 250 && child.exitCode === null; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.destroy() === socket))
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`nginx did not start: ${existsSync(log) ? readFileSync(log, 'utf8') : '(no error.log)'}`)
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * nginx configured by the shipped example with only its addresses and
 * directory changed, in front of `node`; `null` (with a line saying so) when
 * nginx is missing, which under CI=true is an error instead.
 */
async function startNginx(
  dir: string,
  node: ServerProcess,
): Promise<{ child: ChildProcess; port: number } | null> {
  if (!existsSync(NGINX)) {
    if (process.env.CI === 'true') throw new Error(`nginx is required under CI=true (${NGINX} is missing)`)
    console.log(
      `skipped: the nginx offload rows of http.bench.ts (${NGINX} missing; apt-get install nginx-light)`,
    )
    return null
  }
  const prefix = path.join(dir, 'nginx')
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    await mkdir(path.join(prefix, sub), { recursive: true })
  const port = await freePort()
  const site = readFileSync(EXAMPLE_CONF, 'utf8')
    .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${node.port};`)
    .replace('listen 80;', `listen 127.0.0.1:${port};`)
    .replace('alias /var/lib/mastervideo/master-videos/;', `alias ${dir}/;`)
  if (!site.includes(`alias ${dir}/;`))
    throw new Error(`${EXAMPLE_CONF} no longer has the lines this bench swaps`)
  await writeFile(path.join(prefix, 'site.conf'), site)
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
  include ${prefix}/site.conf;
}
`,
  )
  const args = ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;']
  const [command, ...rest] = [...serverPrefix, NGINX, ...args] as [string, ...string[]]
  const child = spawn(command, rest, { stdio: 'inherit' })
  try {
    await waitForPort(port, child, path.join(prefix, 'error.log'))
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return { child, port }
}

// wrk's Lua side, written into the temp dir at run time. Each thread has its
// own Lua state: `setup` (main state) numbers the threads so their random
// offsets differ, `response` counts answers that are not a 206 of exactly 64
// KiB, and `done` prints one JSON line this file parses. The whole-file run
// defines no `response`, so wrk never copies a 100 MB body into Lua; its
// `Authorization` comes from `-H`.
function wrkScript(kind: 'ranges' | 'whole', fileBytes: number): string {
  const check =
    kind === 'ranges'
      ? `
function request()
  local start = math.random(0, ${fileBytes - RANGE_BYTES})
  return wrk.format(nil, nil, {
    ["Range"] = "bytes=" .. start .. "-" .. (start + ${RANGE_BYTES - 1}),
    ["Authorization"] = "${AUTHORIZATION}",
  })
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
  const seconds = `-d${Math.max(1, Math.round(duration))}s`
  const args = [
    '-t1',
    `-c${connections}`,
    seconds,
    '--timeout',
    '10s',
    '-H',
    `Authorization: ${AUTHORIZATION}`,
  ]
  const child = pin
    ? spawn(TASKSET, ['-c', CLIENT_CPU, WRK, ...args, '-s', script, url])
    : spawn(WRK, [...args, '-s', script, url])
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

/**
 * Requests/s of 64 KiB ranges at random offsets over 32 connections (every
 * answer checked to be a 206), and the server's CPU µs per request.
 */
async function ranges(
  target: Target,
  duration: number,
  scripts: Scripts,
  fileBytes: number,
): Promise<{ rps: number; cpuUs: number }> {
  const cpuBefore = cpuSeconds(target.pid)
  const started = performance.now()
  let requests: number
  if (scripts.ranges) {
    const run = await runWrk(scripts.ranges, target.url, 32, duration)
    if (run.wrong > 0 || run.errors > 0 || run.requests === 0)
      throw new Error(`${target.name}: ${run.wrong} wrong answers, ${run.errors} errors (wrk)`)
    requests = run.requests
  } else {
    let wrong = 0
    const result = await autocannon({
      url: target.url,
      connections: 32,
      duration,
      requests: [
        {
          setupRequest: (req) => {
            const start = Math.floor(Math.random() * (fileBytes - RANGE_BYTES))
            const range = `bytes=${start}-${start + RANGE_BYTES - 1}`
            return { ...req, headers: { ...req.headers, range, authorization: AUTHORIZATION } }
          },
          onResponse: (status) => {
            if (status !== 206) wrong++
          },
        },
      ],
    })
    if (wrong > 0 || result.errors > 0 || result.requests.total === 0)
      throw new Error(`${target.name}: ${wrong} non-206, ${result.errors} errors`)
    requests = result.requests.total
  }
  const seconds = (performance.now() - started) / 1000
  return { rps: requests / seconds, cpuUs: ((cpuSeconds(target.pid) - cpuBefore) * 1e6) / requests }
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
        .get(target.url, { agent, headers: { authorization: AUTHORIZATION } }, (res) => {
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

/** Checks that a request without the session is refused: authorization is on. */
async function checkAuthorization(target: Target): Promise<void> {
  const res = await fetch(target.url)
  await res.body?.cancel()
  if (res.status !== 403) throw new Error(`${target.name}: ${res.status} without a session, not 403`)
}

interface Samples {
  rps: number[]
  cpuUs: number[]
  mbps: number[]
  rssGrowth: number[]
}

export default async function httpBench(ctx: BenchContext): Promise<BenchRow[]> {
  const fileBytes = ctx.quick ? 2 * 1000 * 1000 : 100 * 1000 * 1000
  const duration = Number(process.env.BENCH_SECONDS ?? (ctx.quick ? 0.1 : 5))
  const rounds = Number(process.env.BENCH_ROUNDS ?? ctx.rounds)
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-http-bench-'))
  const servers: ServerProcess[] = []
  let nginx: ChildProcess | null = null
  const targets: Target[] = []
  const samples = new Map<Name, Samples>()
  try {
    await writeRandomFile(path.join(dir, KEY), fileBytes)
    const database = path.join(dir, 'mastervideo.sqlite')
    const repository = sqliteRepository({ filename: database })
    await completeJobByHand(repository, localOutputStore(dir), {
      id: 'master_1_benchmark',
      projectId: 'p1',
      key: KEY,
    })
    await repository.close()
    const scripts = await writeScripts(dir, fileBytes)
    const config = JSON.stringify({ dir, key: KEY, database, authorization: AUTHORIZATION })
    const script = path.join(import.meta.dirname, 'bench-servers.ts')
    // Started at once (each Node server takes a second to load), warmed up one by one.
    const started = await Promise.allSettled(
      (['deployment', 'plain', 'send', 'offload'] as const).map(async (name) => {
        const server = await startServerProcess(script, [name, config], serverPrefix)
        servers.push(server)
        return { name, server }
      }),
    )
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
    for (const outcome of started) {
      if (outcome.status !== 'fulfilled') continue
      const { name, server } = outcome.value
      if (name !== 'offload') {
        targets.push({
          name,
          url: `http://127.0.0.1:${server.port}${name === 'send' ? '/' : JOB_PATH}`,
          pid: server.pid,
        })
        continue
      }
      const front = await startNginx(dir, server)
      if (!front) continue
      nginx = front.child
      targets.push({ name, url: `http://127.0.0.1:${front.port}${JOB_PATH}`, pid: server.pid })
    }
    for (const target of targets) {
      samples.set(target.name, { rps: [], cpuUs: [], mbps: [], rssGrowth: [] })
      if (target.name !== 'send') await checkAuthorization(target)
      if (ctx.quick) continue
      // Warm-up of both paths: JIT, page cache, the record cache.
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
            const { rps, cpuUs } = await ranges(target, duration, scripts, fileBytes)
            sample.rps.push(rps)
            sample.cpuUs.push(cpuUs)
            const { mbps, rssGrowth } = await wholeFile(target, scripts, duration, fileBytes)
            sample.mbps.push(mbps)
            sample.rssGrowth.push(rssGrowth)
            return mbps
          },
        ]),
      ),
    )
  } finally {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT')
      await once(nginx, 'exit')
    }
    for (const server of servers) await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
  return rowsOf(samples, fileBytes)
}

function rowsOf(samples: Map<Name, Samples>, fileBytes: number): BenchRow[] {
  const deployment = samples.get('deployment')
  const plain = samples.get('plain')
  const sendFig = samples.get('send')
  const offload = samples.get('offload')
  if (!deployment || !plain || !sendFig) throw new Error('a server did not run')
  const where = pin ? `, servers on cpu ${SERVER_CPU}, client on cpu ${CLIENT_CPU}` : ''
  const rangesBy = useWrk ? `wrk 1 thread${where}` : 'autocannon in the bench process'
  const wholeBy = useWrk ? `wrk 1 thread${where}` : 'Node client in the bench process'
  const fileMb = fileBytes / 1e6
  const send = (values: number[]) => ({ name: 'send', value: measured(values) })
  const overlap = (a: number[], b: number[]) =>
    Math.max(...a) >= Math.min(...b) && Math.max(...b) >= Math.min(...a)
  const cpu = { deployment: measured(deployment.cpuUs).median, plain: measured(plain.cpuUs).median }
  const cpuRatio = (cpu.deployment / measured(sendFig.cpuUs).median).toFixed(2)
  const saved = Math.round((1 - cpu.deployment / cpu.plain) * 100)
  const rows: BenchRow[] = [
    {
      name: `deployment (SQLite, authorize, record cache, nodeFastPath): 64 KiB ranges at random offsets of ${fileMb} MB, 32 connections (${rangesBy})`,
      unit: 'req/s',
      subject: measured(deployment.rps),
      reference: send(sendFig.rps),
      better: 'higher',
      goal: ratioAtLeast(1),
      why: `the deployment spends ${cpuRatio}x send's CPU per range (CPU rows): the session middleware, \`authorize\`, Hono's routing and context and a stat plus an open/pread/close per range, against send's stat and one stream, and the cache and the fast path ${saved >= 0 ? `save ${saved}% of` : `add ${-saved}% to`} the plain route's CPU per range; a profile of that per-request path is what would close it in Node, and nginx offload (below) takes the bytes off Node`,
      headline: true,
    },
    {
      name: `deployment: whole-file GETs of ${fileMb} MB, 4 connections (${wholeBy})`,
      unit: 'MB/s',
      subject: measured(deployment.mbps),
      reference: send(sendFig.mbps),
      better: 'higher',
      goal: ratioAtLeast(1),
      why: `both pipe a 64 KiB-chunk fs read stream into the socket and one lookup is nothing next to ${fileMb} MB; the rounds ${overlap(deployment.mbps, sendFig.mbps) ? 'overlap, so this run cannot tell the gap from noise' : 'do not overlap'}, and a profile on a quiet run with wrk on its own core would show where a real gap lies; nginx offload sends the bytes with sendfile instead`,
      headline: true,
    },
    {
      name: 'deployment: server CPU time per 64 KiB range (µs, from /proc, during the ranges load)',
      unit: 'µs',
      subject: measured(deployment.cpuUs),
      reference: send(sendFig.cpuUs),
      better: 'lower',
      goal: 'report',
    },
    {
      name: 'deployment: server RSS growth during whole-file GETs (flat: tens of MB, not the file size)',
      unit: 'MB',
      subject: measured(deployment.rssGrowth),
      reference: send(sendFig.rssGrowth),
      better: 'lower',
      goal: atMost(64),
      why: 'growth past 64 MB means bodies are buffered instead of streamed with back-pressure: a bug to find with a heap snapshot, not a tuning',
      headline: true,
    },
    {
      name: 'plain route (no fast path, no cache): 64 KiB ranges',
      unit: 'req/s',
      subject: measured(plain.rps),
      reference: send(sendFig.rps),
      better: 'higher',
      goal: 'report',
    },
    {
      name: 'plain route: server CPU time per 64 KiB range',
      unit: 'µs',
      subject: measured(plain.cpuUs),
      reference: send(sendFig.cpuUs),
      better: 'lower',
      goal: 'report',
    },
    {
      name: 'plain route: whole-file GETs',
      unit: 'MB/s',
      subject: measured(plain.mbps),
      reference: send(sendFig.mbps),
      better: 'higher',
      goal: 'report',
    },
  ]
  if (offload) {
    rows.push(
      {
        name: `nginx offload (examples/deploy/nginx.conf; Node authorizes, nginx sends): 64 KiB ranges (${rangesBy})`,
        unit: 'req/s',
        subject: measured(offload.rps),
        reference: send(sendFig.rps),
        better: 'higher',
        goal: 'report',
        headline: true,
      },
      {
        name: `nginx offload: whole-file GETs (${wholeBy})`,
        unit: 'MB/s',
        subject: measured(offload.mbps),
        reference: send(sendFig.mbps),
        better: 'higher',
        goal: 'report',
      },
    )
  }
  return rows
}
