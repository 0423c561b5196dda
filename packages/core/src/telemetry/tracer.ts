import type { Link, Tracer } from '@opentelemetry/api'
import type { TraceContext } from '../record/master-video.js'
import { otel } from './otel-api.js'

/** The instrumentation scope of core's spans. */
export const TRACER_NAME = '@mastervideo/core'

/** A tracer of `scope` from the global provider; `null` without `@opentelemetry/api`. */
export function tracer(scope: string = TRACER_NAME): Tracer | null {
  return otel()?.trace.getTracer(scope) ?? null
}

/**
 * The active trace context as the global propagator writes it (`traceparent`,
 * `tracestate` with the W3C propagator), or `null` when there is no active
 * span or no OpenTelemetry: what `create` stores on a new job.
 */
export function captureTraceContext(): TraceContext | null {
  const api = otel()
  if (!api) return null
  const active = api.context.active()
  if (!api.trace.getSpanContext(active)) return null
  const carrier: TraceContext = {}
  api.propagation.inject(active, carrier)
  return Object.keys(carrier).length > 0 ? carrier : null
}

/**
 * A link to the span a stored trace context names, for a span that starts
 * long after it (a job may wait in the queue for hours, so the attempt is
 * not its child). Empty when there is nothing valid to link to.
 */
export function linksTo(traceContext: TraceContext | null | undefined): Link[] {
  const api = otel()
  if (!api || !traceContext) return []
  const extracted = api.propagation.extract(api.ROOT_CONTEXT, traceContext)
  const spanContext = api.trace.getSpanContext(extracted)
  if (!spanContext || !api.trace.isSpanContextValid(spanContext)) return []
  return [{ context: spanContext, attributes: { 'mastervideo.link': 'created_by' } }]
}
