// The cost of tracing and metrics for a worker: the same jobs with an
// OpenTelemetry SDK registered (spans to an in-memory exporter, metrics read
// by the Prometheus exporter after each round) and without one (the API's
// no-ops), alternating rounds in one process so that load on the machine
// hits both alike. The figure is the median round; its ratio to "off" is the
// overhead (goal: at most 2% on the ffmpeg jobs).
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
import type { BenchRow } from '../../../bench/harness.js'
import { lavfiClip } from '../../adapter-s3/test/fixtures/lavfi-clip.js'

const ROUNDS = 5

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

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/** Medians of alternating off/on rounds of `run`. */
async function compare(run: (i: number) => Promise<number>): Promise<{ off: number; on: number }> {
  const off: number[] = []
  const on: number[] = []
  await run(-1) // warm-up: module loading, ffmpeg's first start, the probe cache
  for (let i = 0; i < ROUNDS; i++) {
    off.push(await run(i))
    const sdk = telemetryOn()
    on.push(await run(i))
    await sdk.scrape()
    await sdk.off()
  }
  return { off: median(off), on: median(on) }
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-bench-telemetry-'))
  try {
    const assets = path.join(dir, 'assets')
    await mkdir(assets)
    await writeTestClip(path.join(assets, 'a.bin'))
    await lavfiClip(path.join(assets, 'a.mp4'), { seconds: 10 })
    const fake = testTranscoder({ durationMs: 1, steps: 1 })
    const test = await compare((i) =>
      round(fake, assets, path.join(dir, `t${i}`), 200, ['a.bin', 'a.bin'], 4),
    )
    const ffmpeg = ffmpegTranscoder()
    const real = await compare((i) =>
      round(ffmpeg, assets, path.join(dir, `f${i}`), 3, ['a.mp4', 'a.mp4', 'a.mp4'], 1),
    )
    return [
      {
        name: `200 testTranscoder jobs, telemetry on (median of ${ROUNDS})`,
        value: test.on,
        unit: 'ms',
        reference: { name: 'telemetry off', value: test.off },
        goal: 'reported',
      },
      {
        name: `3 ffmpeg copy jobs (3 x 10 s clips each), telemetry on (median of ${ROUNDS})`,
        value: real.on,
        unit: 'ms',
        reference: { name: 'telemetry off', value: real.off },
        goal: '<= 1.02x off',
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
