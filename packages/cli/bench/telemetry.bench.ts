// The cost of tracing and metrics for a worker: the same jobs with an
// OpenTelemetry SDK registered (spans to an in-memory exporter, metrics read
// by the Prometheus exporter after each round) and without one (the API's
// no-ops), in interleaved rounds (off on, on off, ...) in one process so that
// load on the machine hits both alike. The figure is the median round; its
// ratio to "off" is the overhead (goal: at most 2% on the ffmpeg jobs).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import {
  createMasterVideos,
  directoryAssets,
  localOutputStore,
  memoryRepository,
  type Transcoder,
} from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import {
  type BenchContext,
  type BenchRow,
  interleaved,
  type Measured,
  measured,
  ratioAtMost,
} from '../../../bench/harness.js'
import { lavfiClip } from '../../adapter-s3/test/fixtures/lavfi-clip.js'

/** Registers an SDK as the Node SDK would (AsyncLocalStorage context); returns a scrape and how to unregister it. */
function telemetryOn() {
  const spans = new InMemorySpanExporter()
  const reader = new PrometheusExporter({ preventServerStart: true })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
  const meters = new MeterProvider({ readers: [reader] })
  metrics.setGlobalMeterProvider(meters)
  return {
    scrape: async () => new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics),
    async off() {
      trace.disable()
      metrics.disable()
      context.disable()
      propagation.disable()
      await meters.shutdown()
    },
  }
}

/** Wall time of `jobs` jobs of `shots`, created at once and run by one worker of `concurrency`. */
async function round(
  transcoder: Transcoder,
  assets: string,
  out: string,
  jobs: number,
  shots: string[],
  concurrency: number,
): Promise<number> {
  const mv = createMasterVideos({
    repository: memoryRepository(),
    transcoder,
    assets: directoryAssets(assets),
    output: localOutputStore(out),
  })
  let left = jobs
  const done = new Promise<void>((resolve, reject) => {
    mv.on('completed', () => {
      if (--left === 0) resolve()
    })
    mv.on('failed', (job) => reject(new Error(`job ${job.id} failed: ${job.error?.message}`)))
  })
  const t0 = performance.now()
  for (let i = 0; i < jobs; i++) await mv.create({ projectId: 'p1', name: `j${i}`, shots })
  const worker = mv.worker({ concurrency, sweepOlderThanMs: 0 }).start()
  await done
  const ms = performance.now() - t0
  await worker.stop()
  await mv.close()
  return ms
}

/** Interleaved off/on rounds of `run`, after one warm-up. */
async function compare(
  rounds: number,
  run: (name: string) => Promise<number>,
): Promise<{ off: Measured; on: Measured }> {
  await run('warm') // module loading, ffmpeg's first start, the probe cache
  let n = 0
  const { off, on } = await interleaved(rounds, {
    off: () => run(`off${n++}`),
    on: async () => {
      const sdk = telemetryOn()
      try {
        return await run(`on${n++}`)
      } finally {
        await sdk.scrape()
        await sdk.off()
      }
    },
  })
  return { off: measured(off), on: measured(on) }
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-bench-telemetry-'))
  const testJobs = ctx.quick ? 5 : 200
  const ffmpegJobs = ctx.quick ? 1 : 3
  const seconds = ctx.quick ? 1 : 10
  try {
    const assets = path.join(dir, 'assets')
    await mkdir(assets)
    await writeTestClip(path.join(assets, 'a.bin'))
    await lavfiClip(path.join(assets, 'a.mp4'), { seconds })
    const fake = testTranscoder({ durationMs: 1, steps: 1 })
    const test = await compare(ctx.rounds, (name) =>
      round(fake, assets, path.join(dir, `t-${name}`), testJobs, ['a.bin', 'a.bin'], 4),
    )
    const ffmpeg = ffmpegTranscoder()
    const real = await compare(ctx.rounds, (name) =>
      round(ffmpeg, assets, path.join(dir, `f-${name}`), ffmpegJobs, ['a.mp4', 'a.mp4', 'a.mp4'], 1),
    )
    return [
      {
        name: `${testJobs} testTranscoder jobs, telemetry on (fixed cost per job)`,
        unit: 'ms',
        subject: test.on,
        reference: { name: 'telemetry off', value: test.off },
        better: 'lower',
        goal: 'report',
        headline: true,
      },
      {
        name: `${ffmpegJobs} ffmpeg copy jobs (3 x ${seconds} s clips each), telemetry on`,
        unit: 'ms',
        subject: real.on,
        reference: { name: 'telemetry off', value: real.off },
        better: 'lower',
        goal: ratioAtMost(1.02),
        why: 'telemetry adds 6 spans and 6 metric records per job, a millisecond at most (the testTranscoder row); above 1.02x is the spread of a few short ffmpeg runs on a shared machine, which a quiet run or longer clips close',
        headline: true,
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
