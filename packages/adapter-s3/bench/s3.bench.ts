// adapter-s3 benchmarks, each beside its reference in the same run, against
// s3rver in its own process on 127.0.0.1 (or MASTERVIDEO_S3_ENDPOINT):
// 1. Commit throughput of a 200 MB output: `s3OutputStore` prepare + commit
//    (multipart upload, stored-size check, temp file removed) against a plain
//    lib-storage `Upload` of the same file from the same process and client,
//    same part size and queue. Rounds interleaved A B B A ..., median and spread.
// 2. Peak RSS growth of this process while 16 concurrent `createReadStream`s
//    read a 200 MB object whole, against the same with a 20 MB object: flat
//    means the same, whatever the file size.
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { type BenchRow, percentile } from '../../../bench/harness.js'
import { s3OutputStore } from '../src/index.js'
import { startS3 } from '../test/s3-fixture.js'

const MB = 1_000_000
const BIG = 200 * MB
const SMALL = 20 * MB
const ROUNDS = Number(process.env.MV_S3_BENCH_ROUNDS ?? 6)
const READERS = 16

/** Writes `size` random bytes in 8 MB writes (no 200 MB buffer in this process's RSS). */
async function randomFile(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w')
  try {
    for (let written = 0; written < size; ) {
      const chunk = randomBytes(Math.min(8 * MB, size - written))
      await handle.write(chunk)
      written += chunk.length
    }
  } finally {
    await handle.close()
  }
}

/** Peak RSS growth (MB) of this process while `run` runs, sampled every 2 ms. */
async function peakRss<T>(run: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  globalThis.gc?.()
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 2)
  try {
    const result = await run()
    return { result, growthMb: (Math.max(peak, process.memoryUsage.rss()) - base) / MB }
  } finally {
    clearInterval(timer)
  }
}

const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`

export default async function s3Bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-s3-bench-'))
  const s3 = await startS3()
  const prefix = s3.uniquePrefix()
  const source = path.join(dir, 'source.mp4')
  await randomFile(source, BIG)
  const store = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir: dir })
  let n = 0

  /** A: the store's commit of a prepared file (the copy into place is not timed). */
  async function ours(): Promise<{ seconds: number; rssMb: number }> {
    const key = `master_1_benchmrk_${n++}.mp4`
    const pending = await store.prepare(key)
    await copyFile(source, pending.path)
    const t0 = performance.now()
    const { growthMb } = await peakRss(() => pending.commit())
    const seconds = (performance.now() - t0) / 1000
    await store.delete(key)
    return { seconds, rssMb: growthMb }
  }

  /**
   * B: a plain lib-storage Upload of the same bytes, same client, lib-storage's
   * defaults (as the store's), from a fresh copy as well: a file just written
   * has dirty pages the kernel flushes during the upload, on both sides.
   */
  async function plain(): Promise<{ seconds: number; rssMb: number }> {
    const Key = `${prefix}plain-${n++}.mp4`
    const file = path.join(dir, `plain-${n}.mp4`)
    await copyFile(source, file)
    const t0 = performance.now()
    const { growthMb } = await peakRss(() =>
      new Upload({
        client: s3.client,
        params: { Bucket: s3.bucket, Key, Body: createReadStream(file), ContentType: 'video/mp4' },
      }).done(),
    )
    const seconds = (performance.now() - t0) / 1000
    await rm(file)
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key }))
    return { seconds, rssMb: growthMb }
  }

  /** 16 whole-file reads at once of `key`, bytes dropped as they arrive. */
  async function readers(key: string, size: number): Promise<{ mbps: number; rssMb: number }> {
    const t0 = performance.now()
    const { result: bytes, growthMb } = await peakRss(async () => {
      const totals = await Promise.all(
        Array.from({ length: READERS }, async () => {
          let got = 0
          for await (const chunk of await store.createReadStream(key)) got += (chunk as Buffer).length
          return got
        }),
      )
      return totals.reduce((a, b) => a + b, 0)
    })
    if (bytes !== size * READERS) throw new Error(`read ${bytes} bytes, expected ${size * READERS}`)
    return { mbps: bytes / MB / ((performance.now() - t0) / 1000), rssMb: growthMb }
  }

  try {
    await ours() // warm-up of both paths: JIT, sockets, page cache
    await plain()
    const a: { seconds: number; rssMb: number }[] = []
    const b: { seconds: number; rssMb: number }[] = []
    for (let round = 0; round < ROUNDS; round++) {
      // A B, then B A: a burst of load elsewhere hits both sides alike.
      if (round % 2 === 0) {
        a.push(await ours())
        b.push(await plain())
      } else {
        b.push(await plain())
        a.push(await ours())
      }
    }
    const oursMbps = a.map((r) => BIG / MB / r.seconds)
    const plainMbps = b.map((r) => BIG / MB / r.seconds)
    console.error(`commit 200 MB, store: ${oursMbps.map((v) => v.toFixed(1)).join(' / ')} MB/s`)
    console.error(`commit 200 MB, plain Upload: ${plainMbps.map((v) => v.toFixed(1)).join(' / ')} MB/s`)

    // The objects the readers read, committed through the store.
    for (const [key, size] of [
      ['master_1_readbig_1.mp4', BIG],
      ['master_1_readsml_1.mp4', SMALL],
    ] as const) {
      const pending = await store.prepare(key)
      if (size === BIG) await copyFile(source, pending.path)
      else await randomFile(pending.path, size)
      await pending.commit()
    }
    await readers('master_1_readsml_1.mp4', SMALL) // warm-up
    const big: { mbps: number; rssMb: number }[] = []
    const small: { mbps: number; rssMb: number }[] = []
    for (let round = 0; round < 3; round++) {
      small.push(await readers('master_1_readsml_1.mp4', SMALL))
      big.push(await readers('master_1_readbig_1.mp4', BIG))
    }
    console.error(
      `16 readers, peak RSS growth: 200 MB ${big.map((r) => r.rssMb.toFixed(1)).join(' / ')} MB; 20 MB ${small.map((r) => r.rssMb.toFixed(1)).join(' / ')} MB; throughput 200 MB ${big.map((r) => r.mbps.toFixed(0)).join(' / ')} MB/s`,
    )

    return [
      {
        name: `commit of a 200 MB output, 5 MiB parts x 4 (median of ${ROUNDS}, spread ${spread(oursMbps)})`,
        value: percentile(oursMbps, 50),
        unit: 'MB/s',
        reference: {
          name: `plain lib-storage Upload (spread ${spread(plainMbps)})`,
          value: percentile(plainMbps, 50),
        },
        higherIsBetter: true,
        goal: '>= 0.95x plain Upload',
      },
      {
        name: 'peak RSS growth during a 200 MB commit (max of rounds)',
        value: Math.max(...a.map((r) => r.rssMb)),
        unit: 'MB',
        reference: { name: 'plain Upload', value: Math.max(...b.map((r) => r.rssMb)) },
        goal: 'about the same',
      },
      {
        name: `peak RSS growth, ${READERS} concurrent whole-file createReadStream of 200 MB (max of 3)`,
        value: Math.max(...big.map((r) => r.rssMb)),
        unit: 'MB',
        reference: { name: 'the same with a 20 MB object', value: Math.max(...small.map((r) => r.rssMb)) },
        goal: 'flat in file size',
      },
      {
        name: `${READERS} concurrent whole-file reads of 200 MB, aggregate (median of 3)`,
        value: percentile(
          big.map((r) => r.mbps),
          50,
        ),
        unit: 'MB/s',
        higherIsBetter: true,
      },
    ]
  } finally {
    await s3.clear(prefix).catch(() => {})
    await s3.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
