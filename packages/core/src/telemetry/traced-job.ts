import type { RunJobContext } from '../worker/run-job.js'
import { SPAN_NAMES } from './attempt-telemetry.js'
import { otel } from './otel-api.js'
import { tracedTranscoder } from './traced-transcoder.js'
import { withSpan } from './with-span.js'

/**
 * `ctx` with spans around its transcoder's calls and around the final
 * writes (`mastervideo.complete`, `mastervideo.checkpoint`), so the steps of
 * `runJob` appear as children of the attempt. Without `@opentelemetry/api`
 * it is `ctx` itself.
 */
export function tracedJob(ctx: RunJobContext): RunJobContext {
  if (!otel()) return ctx
  const { complete, checkpoint } = ctx
  return {
    ...ctx,
    transcoder: tracedTranscoder(ctx.transcoder),
    complete: (outcome) => withSpan(SPAN_NAMES.complete, {}, () => complete(outcome)),
    ...(checkpoint
      ? { checkpoint: (outcome) => withSpan('mastervideo.checkpoint', {}, () => checkpoint(outcome)) }
      : {}),
  }
}
