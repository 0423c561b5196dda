import { HTTP_METRICS } from '@mastervideo/core'
import { metricRecorder } from '@mastervideo/core/adapter'

const bodySize = metricRecorder(HTTP_METRICS[0], '@mastervideo/http-hono')

/**
 * Records the body of a file answer in `mastervideo.http.response.body.size`
 * (its `Content-Length`, by status and media type) and returns the answer.
 * HEAD, 304 and redirects carry no body and are not recorded. A client that
 * hangs up early still counts the whole length: the figure is what the
 * routes answered, not what reached the client. No-op without OpenTelemetry.
 *
 * @example
 * ```ts
 * return countServed(await fileResponse(input), 'video/mp4', c.req.method)
 * ```
 */
export function countServed(response: Response, contentType: string, method: string): Response {
  const length = Number(response.headers.get('content-length'))
  if (method !== 'HEAD' && response.body !== null && length > 0) {
    bodySize.record(length, {
      'http.response.status_code': response.status,
      'mastervideo.file.type': contentType.split(';')[0] ?? contentType,
    })
  }
  return response
}
