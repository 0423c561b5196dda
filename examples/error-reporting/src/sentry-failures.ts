import type { MasterVideo, MasterVideoError, MasterVideos } from '@mastervideo/core'
import * as Sentry from '@sentry/node'

/**
 * The last lines ffmpeg or ffprobe wrote to stderr, from the error or the
 * errors it wraps (`cause`), or null. The ffmpeg adapter keeps them in
 * `details.stderr`; they name server paths, so they go to the operator only.
 */
export function stderrTail(error: unknown): string[] | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const stderr = (current as { details?: { stderr?: unknown } }).details?.stderr
    if (Array.isArray(stderr)) return stderr.map(String)
    if (typeof stderr === 'string') return stderr.split('\n')
    current = (current as { cause?: unknown }).cause
  }
  return null
}

/** The trace id in a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
function traceId(record: MasterVideo): string | null {
  return /^[\da-f]{2}-([\da-f]{32})-/.exec(record.traceContext?.traceparent ?? '')?.[1] ?? null
}

/**
 * Sends every job that fails for good to Sentry, from the service's `failed`
 * event: the attempt's error (its stack and wrapped causes), tagged with its
 * code, the job id, project and attempt so issues can be searched and
 * alerted on, and ffmpeg's stderr tail as an `ffmpeg` context and an
 * `ffmpeg-stderr.txt` attachment. Clients never see any of it: the record and
 * the HTTP JSON keep only the code and a plain message. Returns the detach
 * function. Call `Sentry.init` first.
 *
 * @example
 * ```ts
 * import * as Sentry from '@sentry/node'
 * import type { MasterVideos } from '@mastervideo/core'
 *
 * declare const mv: MasterVideos
 * Sentry.init({ dsn: process.env.SENTRY_DSN })
 * reportFailuresToSentry(mv)
 * ```
 */
export function reportFailuresToSentry(mv: Pick<MasterVideos, 'on' | 'off'>): () => void {
  const listener = (record: MasterVideo, error?: MasterVideoError) => {
    Sentry.withScope((scope) => {
      scope.setTags({
        'mastervideo.code': record.error?.code ?? error?.code ?? 'INTERNAL',
        'mastervideo.job_id': record.id,
        'mastervideo.project': record.projectId,
        'mastervideo.attempt': String(record.attempts),
      })
      if (error?.origin) scope.setTag('mastervideo.origin', error.origin)
      // Jump from the Sentry issue to the job's trace in your tracing backend.
      const trace = traceId(record)
      if (trace) scope.setTag('otel.trace_id', trace)
      const { stderr: _inFfmpegContext, ...details } = error?.details ?? {}
      scope.setContext('mastervideo', {
        name: record.name,
        shots: record.shots.length,
        maxAttempts: record.maxAttempts,
        details,
      })
      const stderr = stderrTail(error)
      if (stderr) {
        scope.setContext('ffmpeg', { stderr: stderr.join('\n') })
        scope.addAttachment({
          filename: 'ffmpeg-stderr.txt',
          data: stderr.join('\n'),
          contentType: 'text/plain',
        })
      }
      // No error object when another process's worker ran the job: the stored code and message still say what failed.
      Sentry.captureException(error ?? new Error(`${record.error?.code}: ${record.error?.message}`))
    })
  }
  mv.on('failed', listener)
  return () => mv.off('failed', listener)
}
