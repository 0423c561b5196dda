// The worker half of the two-process trace test: runs one job from the shared
// SQLite database with its own OpenTelemetry SDK (an in-memory exporter) and
// writes the spans it finished to a JSON file.
// Arguments: <database> <assets dir> <output dir> <spans file> <job id>
import { writeFile } from 'node:fs/promises'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

const [database, assets, output, spansFile, jobId] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
]

const exporter = new InMemorySpanExporter()
context.setGlobalContextManager(new AsyncHooksContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
)

const mv = createMasterVideos({
  repository: sqliteRepository({ filename: database }),
  transcoder: testTranscoder({ durationMs: 20 }),
  assets: directoryAssets(assets),
  output: localOutputStore(output),
})
mv.worker().start()
await mv.waitFor(jobId, { timeoutMs: 20_000 })
await mv.close()

const spans = exporter.getFinishedSpans().map((span) => ({
  name: span.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId ?? null,
  links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  attributes: span.attributes,
  status: span.status.code,
  pid: process.pid,
}))
await writeFile(spansFile, JSON.stringify(spans))
