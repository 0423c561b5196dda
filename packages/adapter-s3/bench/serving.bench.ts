// Serving from S3 through the HTTP routes, against the same routes over
// `localOutputStore` in the same run. Each server runs in its own process;
// autocannon (32 connections) drives them from this one, rounds interleaved
// (A B C D, D C B A, ...), each figure the median with its spread:
// 1. `proxy`: requests/s of 64 KiB ranges at random offsets of a 100 MB video
//    kept in S3 (each one a ranged GetObject from Node), against the local
//    store (a file read). Every answer is checked to be a 206.
// 2. `redirect`: 302s/s of `/video` (authorize, presign, answer; no bytes),
//    against the local store's 64 KiB ranges: what a player's request costs
//    Node each way. Every answer is checked to be a 302 to the bucket. The
//    routes reuse one URL per file for up to 60 s, so this is the cost of a
//    302 for a video played in the last minute.
// 3. The same 64 KiB ranges straight from the S3 server (a presigned URL),
//    to tell what the proxy adds from what the S3 server itself costs.
// 4. `presign()` calls per second in this process, a new key each time: what
//    a 302 for a file nobody asked for in the last minute adds.
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Upload } from '@aws-sdk/lib-storage'
import autocannon from 'autocannon'
import {
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  ratioAtLeast,
} from '../../../bench/harness.js'
import { writeRandomFile } from '../../../bench/support/random-file.js'
import { type ServerProcess, startServerProcess } from '../../../bench/support/server-process.js'
import { s3OutputStore } from '../src/index.js'
import { startS3 } from '../test/s3-fixture.js'

const RANGE_BYTES = 64 * 1024
const KEY = 'master_1_benchmark_1.mp4'
const CONNECTIONS = 32

interface Target {
  name: string
  url: string
}

/** One server process of serving-server.ts; `servers` collects it to be stopped. */
async function startServer(name: string, args: string[], servers: ServerProcess[]): Promise<Target> {
  const server = await startServerProcess(path.join(import.meta.dirname, 'serving-server.ts'), args)
  servers.push(server)
  const url = `http://127.0.0.1:${server.port}/api/projects/p1/master-videos/master_1_benchmark/video`
  return { name, url }
}

/** Requests/s of `url` over {@link CONNECTIONS} connections; every answer must have `status`. */
async function load(
  target: Target,
  status: 206 | 302,
  duration: number,
  fileBytes: number,
  expect?: string,
): Promise<number> {
  let wrong = 0
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        setupRequest: (req) => {
          if (status !== 206) return req
          const start = Math.floor(Math.random() * (fileBytes - RANGE_BYTES))
          return { ...req, headers: { ...req.headers, range: `bytes=${start}-${start + RANGE_BYTES - 1}` } }
        },
        onResponse: (code, _body, _context, headers) => {
          const location = (headers as Record<string, string> | undefined)?.location
          if (code !== status || (expect && !location?.startsWith(expect))) wrong++
        },
      },
    ],
  })
  if (wrong > 0 || result.errors > 0 || (result.non2xx > 0 && status === 206)) {
    throw new Error(`${target.name}: ${wrong} wrong answers, ${result.errors} errors`)
  }
  return result.requests.average
}

/** `presign()` calls per second for `seconds`, each for another key (nothing to reuse). */
async function presignRate(store: ReturnType<typeof s3OutputStore>, seconds: number): Promise<number> {
  const started = performance.now()
  let calls = 0
  while (performance.now() - started < seconds * 1000) {
    await store.presign(`master_${calls}_benchmrk_1.mp4`, { expiresInSec: 3600, contentType: 'video/mp4' })
    calls++
  }
  return calls / ((performance.now() - started) / 1000)
}

export default async function servingBench(ctx: BenchContext): Promise<BenchRow[]> {
  const fileBytes = ctx.quick ? 2 * 1000 * 1000 : 100 * 1000 * 1000
  const duration = Number(process.env.BENCH_SECONDS ?? (ctx.quick ? 0.5 : 5))
  const rounds = Number(process.env.BENCH_ROUNDS ?? ctx.rounds)
  const fileMb = fileBytes / 1e6
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-s3-serving-'))
  const s3 = await startS3()
  const prefix = s3.uniquePrefix()
  const servers: ServerProcess[] = []
  const samples: Record<'local' | 's3Proxy' | 's3Redirect' | 's3Direct' | 'presign', number[]> = {
    local: [],
    s3Direct: [],
    s3Proxy: [],
    s3Redirect: [],
    presign: [],
  }
  const store = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir: dir })
  try {
    const file = path.join(dir, KEY)
    await writeRandomFile(file, fileBytes)
    await new Upload({
      client: s3.client,
      params: {
        Bucket: s3.bucket,
        Key: `${prefix}${KEY}`,
        Body: createReadStream(file),
        ContentType: 'video/mp4',
      },
    }).done()
    const s3Config = JSON.stringify({ dir, key: KEY, endpoint: s3.endpoint, bucket: s3.bucket, prefix })
    // Started at once: each is a Node process that takes a second to load.
    const [local, s3Proxy, s3Redirect] = await Promise.all([
      startServer('local proxy', ['local', 'proxy', JSON.stringify({ dir, key: KEY })], servers),
      startServer('s3 proxy', ['s3', 'proxy', s3Config], servers),
      startServer('s3 redirect', ['s3', 'redirect', s3Config], servers),
    ])
    const direct: Target = {
      name: 's3 direct',
      url: await store.presign(KEY, { expiresInSec: 7200, contentType: 'video/mp4' }),
    }
    const runs = {
      local: (d: number) => load(local, 206, d, fileBytes),
      s3Direct: (d: number) => load(direct, 206, d, fileBytes),
      s3Proxy: (d: number) => load(s3Proxy, 206, d, fileBytes),
      s3Redirect: (d: number) => load(s3Redirect, 302, d, fileBytes, s3.endpoint),
    }
    // Warm-up: JIT, page cache, the S3 client's sockets.
    if (!ctx.quick) {
      for (const run of Object.values(runs)) await run(2)
      await presignRate(store, 1)
    }
    // The machine is shared: interleaved rounds, so a burst elsewhere hits all of them.
    Object.assign(
      samples,
      await interleaved(rounds, {
        local: () => runs.local(duration),
        s3Direct: () => runs.s3Direct(duration),
        s3Proxy: () => runs.s3Proxy(duration),
        s3Redirect: () => runs.s3Redirect(duration),
        presign: () => presignRate(store, ctx.quick ? 0.5 : 2),
      }),
    )
  } finally {
    for (const server of servers) await server.stop()
    await s3.clear(prefix)
    await s3.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const reference = { name: 'localOutputStore, proxy, 64 KiB ranges', value: measured(samples.local) }
  return [
    {
      name: `proxy from S3 (s3rver): 64 KiB ranges at random offsets of ${fileMb} MB, ${CONNECTIONS} connections (autocannon); each range costs a HeadObject and a ranged GetObject`,
      unit: 'req/s',
      subject: measured(samples.s3Proxy),
      reference,
      better: 'higher',
      goal: 'report',
    },
    {
      name: `redirect from S3: 302s to a presigned URL, ${CONNECTIONS} connections (autocannon): Node signs instead of sending bytes`,
      unit: 'req/s',
      subject: measured(samples.s3Redirect),
      reference,
      better: 'higher',
      goal: ratioAtLeast(1),
    },
    {
      name: 'proxy from S3, against the same ranges straight from the S3 server (presigned URL): what Node adds',
      unit: 'req/s',
      subject: measured(samples.s3Proxy),
      reference: { name: 'S3 server direct', value: measured(samples.s3Direct) },
      better: 'higher',
      goal: 'report',
    },
    {
      name: 's3OutputStore.presign() in one process, a new key each call (no reuse)',
      unit: 'calls/s',
      subject: measured(samples.presign),
      better: 'higher',
      goal: 'report',
    },
  ]
}
