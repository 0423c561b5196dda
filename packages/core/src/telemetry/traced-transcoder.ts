import type { Transcoder } from '../transcoder/transcoder.js'
import { SPAN_NAMES } from './attempt-telemetry.js'
import { otel } from './otel-api.js'
import { withSpan } from './with-span.js'

/**
 * `transcoder` with a span around each call a job makes: `mastervideo.concat`
 * (requested and applied strategy, inputs, output bytes and seconds; a
 * transcoder adds the input seconds it probed), `mastervideo.thumbnail`,
 * `mastervideo.probe` and `mastervideo.ladder`. Without
 * `@opentelemetry/api` it is `transcoder` itself.
 */
export function tracedTranscoder(transcoder: Transcoder): Transcoder {
  if (!otel()) return transcoder
  const traced: Transcoder = {
    probe: (path, options) => withSpan(SPAN_NAMES.probe, {}, () => transcoder.probe(path, options)),
    concat: (request) =>
      withSpan(
        SPAN_NAMES.concat,
        {
          attributes: {
            'mastervideo.strategy.requested': request.strategy ?? 'auto',
            'mastervideo.concat.inputs': request.inputs.length,
          },
        },
        async (span) => {
          const result = await transcoder.concat(request)
          span.setAttributes({
            'mastervideo.strategy': result.strategy,
            'mastervideo.concat.output_bytes': result.sizeBytes,
            'mastervideo.concat.output_seconds': result.durationSec,
          })
          return result
        },
      ),
    thumbnail: (input, output, options) =>
      withSpan(SPAN_NAMES.thumbnail, {}, () => transcoder.thumbnail(input, output, options)),
  }
  const { ladder, sweep } = transcoder
  if (ladder) {
    traced.ladder = (request) =>
      withSpan(
        'mastervideo.ladder',
        { attributes: { 'mastervideo.ladder.renditions': request.renditions.length } },
        () => ladder.call(transcoder, request),
      )
  }
  if (sweep) traced.sweep = (olderThanMs) => sweep.call(transcoder, olderThanMs)
  return traced
}
