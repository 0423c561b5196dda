import { performance } from 'node:perf_hooks'
import type { Span } from '@opentelemetry/api'
import type { MasterVideoError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'
import type { Outcome } from '../worker/decide-outcome.js'
import { coreInstruments } from './meter.js'
import { otel } from './otel-api.js'
import { linksTo, tracer } from './tracer.js'
import { recordSpanError } from './with-span.js'

/**
 * The name of the span of one job attempt, and of its children (the probe
 * span is opened by adapter-ffmpeg inside the concat span).
 *
 * @example
 * ```ts
 * import { SPAN_NAMES } from '@mastervideo/core'
 *
 * declare const finishedSpans: { name: string }[]
 * const attempts = finishedSpans.filter((span) => span.name === SPAN_NAMES.attempt)
 * ```
 */
export const SPAN_NAMES = {
  attempt: 'mastervideo.job.attempt',
  resolveAssets: 'mastervideo.resolve_assets',
  probe: 'mastervideo.probe',
  concat: 'mastervideo.concat',
  thumbnail: 'mastervideo.thumbnail',
  commit: 'mastervideo.commit',
  complete: 'mastervideo.complete',
} as const

/**
 * The `mastervideo.outcome` of an attempt that did not complete, by what the
 * worker decided (`decideOutcome`): `retried`, `failed`, `released` (shutdown),
 * `canceled`, or `lease_lost` (another worker may hold the job).
 */
export type AttemptEnd = 'retried' | 'failed' | 'released' | 'canceled' | 'lease_lost'

function endOf(outcome: Outcome): AttemptEnd {
  switch (outcome.kind) {
    case 'retry':
      return 'retried'
    case 'fail':
      return 'failed'
    case 'release':
      return 'released'
    case 'nothing':
      return outcome.because === 'canceled' ? 'canceled' : 'lease_lost'
  }
}

/** The telemetry of one attempt: its span and the metrics recorded when it ends. */
export interface AttemptTelemetry {
  /** Runs `fn` with the attempt's span active, so the spans it opens are its children. */
  run<T>(fn: () => Promise<T>): Promise<T>
  /** Ends the attempt as completed with `record`. */
  completed(record: MasterVideo): void
  /** Ends the attempt that stopped with `error`, handled as `outcome`. */
  failed(error: MasterVideoError, outcome: Outcome): void
}

const seconds = (ms: number) => Math.max(0, ms / 1000)

/**
 * Starts the telemetry of the attempt a worker just claimed: records how long
 * the job waited once due, and opens the `mastervideo.job.attempt` span. The
 * span continues the trace of the request that created the job (its stored
 * `traceContext`) and links to that request's span, so a backend shows the
 * link even when it cuts traces at a time limit. Without `@opentelemetry/api`
 * only the clock runs.
 */
export function startAttempt(record: MasterVideo, workerId: string): AttemptTelemetry {
  const started = performance.now()
  const instruments = coreInstruments()
  if (instruments && record.startedAt) {
    const due = Math.max(record.runAt.getTime(), record.createdAt.getTime())
    instruments.histograms['mastervideo.job.queue.duration'].record(seconds(record.startedAt.getTime() - due))
  }
  const api = otel()
  const traces = tracer()
  let span: Span | null = null
  if (api && traces) {
    const links = linksTo(record.traceContext)
    const parent = links[0] ? api.trace.setSpanContext(api.ROOT_CONTEXT, links[0].context) : api.ROOT_CONTEXT
    span = traces.startSpan(
      SPAN_NAMES.attempt,
      {
        kind: api.SpanKind.CONSUMER,
        links,
        attributes: {
          'mastervideo.job.id': record.id,
          'mastervideo.project.id': record.projectId,
          'mastervideo.attempt': record.attempts,
          'mastervideo.shots': record.shots.length,
          'mastervideo.worker.id': workerId,
        },
      },
      parent,
    )
  }
  let ended = false
  const finish = (outcome: string) => {
    ended = true
    coreInstruments()?.histograms['mastervideo.job.processing.duration'].record(
      seconds(performance.now() - started),
      { 'mastervideo.outcome': outcome },
    )
    span?.setAttribute('mastervideo.outcome', outcome)
    span?.end()
  }

  return {
    run(fn) {
      if (!api || !span) return fn()
      return api.context.with(api.trace.setSpan(api.context.active(), span), fn)
    },
    completed(done) {
      if (ended) return
      const strategy = done.output?.strategy ?? 'unknown'
      const now = coreInstruments()
      now?.counters['mastervideo.jobs.completed'].add(1, { 'mastervideo.strategy': strategy })
      now?.counters['mastervideo.media.encoded'].add(done.output?.durationSec ?? 0, {
        'mastervideo.strategy': strategy,
      })
      now?.histograms['mastervideo.job.duration'].record(
        seconds((done.completedAt ?? new Date()).getTime() - done.createdAt.getTime()),
        { 'mastervideo.outcome': 'completed' },
      )
      span?.setAttributes({
        'mastervideo.strategy': strategy,
        'mastervideo.output.bytes': done.output?.size ?? 0,
        'mastervideo.output.seconds': done.output?.durationSec ?? 0,
      })
      if (api) span?.setStatus({ code: api.SpanStatusCode.OK })
      finish('completed')
    },
    failed(error, outcome) {
      if (ended) return
      const end = endOf(outcome)
      const now = coreInstruments()
      if (end === 'failed') {
        now?.counters['mastervideo.jobs.failed'].add(1, { 'error.type': error.code })
        now?.histograms['mastervideo.job.duration'].record(seconds(Date.now() - record.createdAt.getTime()), {
          'mastervideo.outcome': 'failed',
        })
      } else if (end === 'retried') {
        now?.counters['mastervideo.jobs.retried'].add(1, { 'error.type': error.code })
      }
      if (span) {
        // A release on shutdown or a cancel is no failure: the span only notes why the attempt stopped.
        if (end === 'released' || end === 'canceled') span.setAttribute('error.type', error.code)
        else recordSpanError(span, error)
      }
      finish(end)
    },
  }
}

/**
 * Counts a job failed without an attempt of this worker (its earlier workers
 * all died: `LEASE_EXPIRED`) in `mastervideo.jobs.failed` and
 * `mastervideo.job.duration`.
 */
export function countFailed(record: MasterVideo, code: MasterVideoError['code']): void {
  const now = coreInstruments()
  now?.counters['mastervideo.jobs.failed'].add(1, { 'error.type': code })
  now?.histograms['mastervideo.job.duration'].record(seconds(Date.now() - record.createdAt.getTime()), {
    'mastervideo.outcome': 'failed',
  })
}

/** Counts a job `create` stored (`mastervideo.jobs.created`). */
export function countCreated(): void {
  coreInstruments()?.counters['mastervideo.jobs.created'].add(1)
}
