// One trace from the request that creates a job to the worker that completes
// it, across two processes: the route stores the request's trace context on
// the job; a worker in another process (its own SDK) continues that trace.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import {
  createMasterVideos,
  directoryAssets,
  localOutputStore,
  type MasterVideos,
  SPAN_NAMES,
} from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { masterVideoRoutes } from '@mastervideo/http-hono'
import { context, propagation, SpanKind, trace } from '@opentelemetry/api'
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { execa } from 'execa'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

interface ExportedSpan {
  name: string
  traceId: string
  spanId: string
  parentSpanId: string | null
  links: { traceId: string; spanId: string }[]
  attributes: Record<string, unknown>
  pid: number
}

const program = path.resolve(import.meta.dirname, 'trace-worker-program.ts')
const exporter = new InMemorySpanExporter()
let dir: string
let mv: MasterVideos

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncHooksContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  )
  dir = await mkdtemp(path.join(tmpdir(), 'mv-trace-'))
  await mkdir(path.join(dir, 'assets'))
  await writeTestClip(path.join(dir, 'assets', 'a.bin'))
  mv = createMasterVideos({
    repository: sqliteRepository({ filename: path.join(dir, 'jobs.sqlite') }),
    transcoder: testTranscoder(),
    assets: directoryAssets(path.join(dir, 'assets')),
    output: localOutputStore(path.join(dir, 'out')),
  })
})
afterAll(async () => {
  await mv?.close()
  trace.disable()
  context.disable()
  propagation.disable()
  await rm(dir, { recursive: true, force: true })
})

/**
 * The host's HTTP instrumentation, reduced to what matters here: a server
 * span per request, continuing the caller's `traceparent`.
 */
function tracedHost(): Hono {
  const tracer = trace.getTracer('host')
  const app = new Hono()
  app.use(async (c, next) => {
    const parent = propagation.extract(context.active(), Object.fromEntries(c.req.raw.headers))
    const span = tracer.startSpan(`${c.req.method} ${c.req.path}`, { kind: SpanKind.SERVER }, parent)
    await context.with(trace.setSpan(parent, span), next)
    span.end()
  })
  app.route('/api/projects', masterVideoRoutes(mv))
  return app
}

describe('a trace across the API process and a worker process', () => {
  it('goes from the creating request to the completed job', async () => {
    // The client's span: what a browser or a calling service would send.
    const client = trace.getTracer('client').startSpan('create master video', { kind: SpanKind.CLIENT })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    propagation.inject(trace.setSpan(context.active(), client), headers)
    const res = await tracedHost().request('/api/projects/p1/master-videos', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'traced', shots: ['a.bin', 'a.bin'] }),
    })
    client.end()
    expect(res.status).toBe(201)
    const { id } = (await res.json()) as { id: string }

    const [server] = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'POST /api/projects/p1/master-videos')
    expect(server?.parentSpanContext?.spanId).toBe(client.spanContext().spanId)
    const traceId = client.spanContext().traceId

    const spansFile = path.join(dir, 'worker-spans.json')
    const worker = await execa(
      process.execPath,
      [
        '--conditions=@mastervideo/source',
        '--import',
        'tsx',
        program,
        path.join(dir, 'jobs.sqlite'),
        path.join(dir, 'assets'),
        path.join(dir, 'out'),
        spansFile,
        id,
      ],
      { cwd: path.resolve(import.meta.dirname, '../../..'), reject: false },
    )
    expect(worker.exitCode, worker.stderr).toBe(0)
    const spans = JSON.parse(await readFile(spansFile, 'utf8')) as ExportedSpan[]
    expect(spans[0]?.pid).not.toBe(process.pid)

    // The attempt continues the request's trace and links to the span that created the job.
    const attempts = spans.filter((s) => s.name === SPAN_NAMES.attempt)
    expect(attempts).toHaveLength(1)
    const attempt = attempts[0] as ExportedSpan
    expect(attempt.traceId).toBe(traceId)
    expect(attempt.parentSpanId).toBe(server?.spanContext().spanId)
    expect(attempt.links).toEqual([{ traceId, spanId: server?.spanContext().spanId }])
    expect(attempt.attributes).toMatchObject({ 'mastervideo.job.id': id, 'mastervideo.outcome': 'completed' })

    // Every step of the attempt is its child, in the same trace.
    for (const name of [
      SPAN_NAMES.resolveAssets,
      SPAN_NAMES.concat,
      SPAN_NAMES.thumbnail,
      SPAN_NAMES.commit,
      SPAN_NAMES.complete,
    ]) {
      const step = spans.find((s) => s.name === name)
      expect(step, name).toMatchObject({ traceId, parentSpanId: attempt.spanId })
    }
    expect(spans.find((s) => s.name === SPAN_NAMES.concat)?.attributes).toMatchObject({
      'mastervideo.strategy': 'copy',
      'mastervideo.concat.inputs': 2,
    })
    // One trace: every span of both processes carries the client's trace id.
    const all = [
      ...exporter.getFinishedSpans().map((s) => s.spanContext().traceId),
      ...spans.map((s) => s.traceId),
    ]
    expect(new Set(all)).toEqual(new Set([traceId]))
  }, 60_000)
})
