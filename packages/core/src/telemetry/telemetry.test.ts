import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { context, metrics, propagation, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { directoryAssets } from '../assets/directory-assets.js'
import { localOutputStore } from '../output/local-output-store.js'
import { memoryRepository } from '../repository/memory-repository.js'
import { createMasterVideos, type MasterVideos } from '../service/master-videos.js'
import { testTranscoder, writeTestClip } from '../testing/test-transcoder.js'
import { SPAN_NAMES } from './attempt-telemetry.js'
import { CORE_METRICS } from './instruments.js'
import { observeQueue } from './queue-gauges.js'

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Every data point of `name` in one collection, as [attributes, value] pairs. */
function points(collected: ResourceMetrics, name: string) {
  const found = collected.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
  return (found?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value as unknown }))
}

describe('telemetry of a job', () => {
  const exporter = new InMemorySpanExporter()
  const reader = new TestReader()
  let dir: string
  let mv: MasterVideos
  let stopQueue: () => void

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncHooksContextManager().enable())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    )
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
    dir = await mkdtemp(join(tmpdir(), 'mv-telemetry-'))
    await writeTestClip(join(dir, 'a.bin'), { durationSec: 2 })
    await writeFile(join(dir, 'bad.bin'), 'not a clip')
    mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder: testTranscoder({ durationMs: 20 }),
      assets: directoryAssets(dir),
      output: localOutputStore(join(dir, 'out')),
    })
    stopQueue = observeQueue(mv.repository, { projectIds: () => ['p1'] })
  })
  afterAll(async () => {
    stopQueue()
    await mv.close()
    trace.disable()
    metrics.disable()
    context.disable()
    propagation.disable()
    await rm(dir, { recursive: true, force: true })
  })

  it('continues the creating request trace: the attempt links to it and parents every step', async () => {
    const request = trace.getTracer('test').startSpan('POST /:projectId/master-videos')
    const job = await context.with(trace.setSpan(context.active(), request), () =>
      mv.create({ projectId: 'p1', name: 'ok', shots: ['a.bin', 'a.bin'] }),
    )
    request.end()
    expect(job.traceContext?.traceparent).toContain(request.spanContext().traceId)

    const worker = mv.worker().start()
    await mv.waitFor(job.id, { timeoutMs: 10_000 })
    await worker.stop()

    const spans = exporter.getFinishedSpans()
    const named = (name: string) => spans.filter((s) => s.name === name)
    const [attempt] = named(SPAN_NAMES.attempt) as [ReadableSpan]
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId)
    expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
    expect(attempt.links.map((l) => l.context.spanId)).toEqual([request.spanContext().spanId])
    expect(attempt.attributes['mastervideo.job.id']).toBe(job.id)
    expect(attempt.attributes['mastervideo.outcome']).toBe('completed')
    for (const step of ['resolveAssets', 'concat', 'thumbnail', 'commit', 'complete'] as const) {
      const [span] = named(SPAN_NAMES[step])
      expect(span?.parentSpanContext?.spanId, step).toBe(attempt.spanContext().spanId)
    }
    const [concat] = named(SPAN_NAMES.concat) as [ReadableSpan]
    expect(concat.attributes).toMatchObject({
      'mastervideo.strategy': 'copy',
      'mastervideo.concat.inputs': 2,
    })
    expect(concat.attributes['mastervideo.concat.output_bytes']).toBeGreaterThan(0)
  })

  it('records a failure on the attempt span with its code, and counts it', async () => {
    exporter.reset()
    const job = await mv.create({ projectId: 'p1', name: 'bad', shots: ['bad.bin'], maxAttempts: 1 })
    const worker = mv.worker().start()
    await expect(mv.waitFor(job.id, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'INPUT_INVALID' })
    await worker.stop()

    const attempt = exporter.getFinishedSpans().find((s) => s.name === SPAN_NAMES.attempt) as ReadableSpan
    expect(attempt.status.code).toBe(SpanStatusCode.ERROR)
    expect(attempt.attributes['error.type']).toBe('INPUT_INVALID')
    expect(attempt.links).toEqual([])

    const { resourceMetrics } = await reader.collect()
    expect(points(resourceMetrics, 'mastervideo.jobs.created').map((p) => p.value)).toEqual([2])
    expect(points(resourceMetrics, 'mastervideo.jobs.completed')).toEqual([
      { attributes: { 'mastervideo.strategy': 'copy' }, value: 1 },
    ])
    expect(points(resourceMetrics, 'mastervideo.jobs.failed')).toEqual([
      { attributes: { 'error.type': 'INPUT_INVALID' }, value: 1 },
    ])
    expect(points(resourceMetrics, 'mastervideo.media.encoded')[0]?.value).toBeCloseTo(4, 1)
    const queueWaits = points(resourceMetrics, 'mastervideo.job.queue.duration')[0]?.value as {
      count: number
    }
    expect(queueWaits.count).toBe(2)
    expect(points(resourceMetrics, 'mastervideo.queue.depth')).toContainEqual({
      attributes: { 'mastervideo.job.status': 'created' },
      value: 0,
    })
    expect(points(resourceMetrics, 'mastervideo.queue.oldest_age')).toEqual([{ attributes: {}, value: 0 }])
    // Every metric is registered under its catalog name.
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name))
    for (const name of names) expect(CORE_METRICS.map((m) => m.name)).toContain(name)
  })

  it('ends a canceled attempt as canceled, without an error status', async () => {
    exporter.reset()
    const slow = createMasterVideos({
      repository: memoryRepository(),
      transcoder: testTranscoder({ durationMs: 5000 }),
      assets: directoryAssets(dir),
      output: localOutputStore(join(dir, 'out-slow')),
    })
    const job = await slow.create({ projectId: 'p1', name: 'slow', shots: ['a.bin'] })
    slow.on('processing', () => void slow.cancel(job.id))
    const worker = slow.worker().start()
    await expect(slow.waitFor(job.id, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'CANCELED' })
    await worker.stop()
    await slow.close()

    const attempt = exporter.getFinishedSpans().find((s) => s.name === SPAN_NAMES.attempt) as ReadableSpan
    expect(attempt.attributes).toMatchObject({ 'mastervideo.outcome': 'canceled', 'error.type': 'CANCELED' })
    expect(attempt.status.code).not.toBe(SpanStatusCode.ERROR)
  })
})
