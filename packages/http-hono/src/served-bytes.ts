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
  // The status, not `response.body`: reading the body of @hono/node-server's
  // light Response turns it into a full one, and a 304 is the only bodiless
  // answer here that could carry a length.
  if (method !== 'HEAD' && response.status !== 304) {
    recordServedBytes(Number(response.headers.get('content-length')), response.status, contentType)
  }
  return response
}

/**
 * Records a file body of `length` bytes sent with `status` (what
 * {@link countServed} records for a `Response`), for answers written straight
 * to a Node response. Nothing for an empty body.
 *
 * @example
 * ```ts
 * recordServedBytes(65536, 206, 'video/mp4')
 * ```
 */
export function recordServedBytes(length: number, status: number, contentType: string): void {
  if (!(length > 0)) return
  bodySize.record(length, {
    'http.response.status_code': status,
    'mastervideo.file.type': contentType.split(';')[0] ?? contentType,
  })
}
