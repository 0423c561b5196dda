import type { Span } from '@opentelemetry/api'
import { isMasterVideoError } from '../errors.js'
import { otel } from './otel-api.js'
import { TRACER_NAME, tracer } from './tracer.js'

/** Span attribute values this package sets. */
export type SpanAttributes = Record<string, string | number | boolean>

/** What {@link withSpan} hands its function: attributes learnt while the span runs. */
export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void
}

const NOOP_HANDLE: SpanHandle = { setAttributes() {} }

/** Options of {@link withSpan}. */
export interface WithSpanOptions {
  attributes?: SpanAttributes
  /** The instrumentation scope (the package name). Default `@mastervideo/core`. */
  scope?: string
}

/**
 * Marks `span` as failed by `error`: the exception event, the `error.type`
 * attribute set to the mastervideo error code (`INTERNAL` for anything else)
 * and an error status with the error's message.
 */
export function recordSpanError(span: Span, error: unknown): void {
  const api = otel()
  const code = isMasterVideoError(error) ? error.code : 'INTERNAL'
  span.setAttribute('error.type', code)
  if (error instanceof Error) span.recordException(error)
  if (api) {
    span.setStatus({
      code: api.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    })
  }
}

/**
 * Runs `fn` inside a new active span named `name` (a child of the active
 * span), ends it when `fn` settles, and records a rejection on it with its
 * error code before passing it on. Without `@opentelemetry/api` it only runs
 * `fn`.
 *
 * @example
 * ```ts
 * import { withSpan } from '@mastervideo/core/adapter'
 *
 * const size = await withSpan('mastervideo.upload', { attributes: { 'mastervideo.key': 'a.mp4' } }, async (span) => {
 *   span.setAttributes({ 'mastervideo.output.bytes': 1024 })
 *   return 1024
 * })
 * ```
 */
export function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  fn: (span: SpanHandle) => Promise<T>,
): Promise<T> {
  const traces = tracer(options.scope ?? TRACER_NAME)
  if (!traces) return fn(NOOP_HANDLE)
  return traces.startActiveSpan(name, { attributes: options.attributes ?? {} }, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      recordSpanError(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/**
 * Sets attributes on the active span, if any: how a transcoder adds what it
 * learns (the input seconds it probed) to the span its caller opened.
 *
 * @example
 * ```ts
 * import { annotateActiveSpan } from '@mastervideo/core/adapter'
 *
 * annotateActiveSpan({ 'mastervideo.concat.input_seconds': 12.5 })
 * ```
 */
export function annotateActiveSpan(attributes: SpanAttributes): void {
  otel()?.trace.getActiveSpan()?.setAttributes(attributes)
}
