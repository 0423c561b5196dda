import { type ErrorCode, isMasterVideoError, type Logger, type MasterVideoStatus } from '@mastervideo/core'
import { originErrors } from '@mastervideo/core/adapter'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The package every error this package throws names as its `origin` (logs show it; messages do not). */
export const ORIGIN = '@mastervideo/http-hono'

const errors = originErrors(ORIGIN)

/**
 * `VALIDATION`: an option of `masterVideoRoutes` that cannot work as given.
 *
 * @example
 * ```ts
 * throw invalidOption('urlTtlSec must be a positive integer', { details: { field: 'urlTtlSec' } })
 * ```
 */
export const invalidOption = errors.validation

/**
 * `STORAGE`: the output store answered with something other than the file it
 * described (fewer bytes than its size). The client sees a 500; the details go to the log.
 *
 * @example
 * ```ts
 * throw storageFailure('The stored file is shorter than its size', { details: { key } })
 * ```
 */
export const storageFailure = errors.storage

/** Codes only the HTTP layer produces, beside core's {@link ErrorCode}s. */
export type HttpOnlyErrorCode =
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'RANGE_NOT_SATISFIABLE'
  | 'PRECONDITION_FAILED'
  | 'NOT_READY'

/** Every `code` an error body of these routes can carry. */
export type HttpErrorCode = ErrorCode | HttpOnlyErrorCode

/**
 * The one place where an error code becomes an HTTP status. Job failure codes
 * (`TRANSCODE_FAILED`, `TIMEOUT`, ...) only reach a response if the service
 * throws them on a request, which is a server-side failure.
 *
 * @example
 * ```ts
 * import { HTTP_STATUS } from '@mastervideo/http-hono'
 *
 * console.log(HTTP_STATUS.ILLEGAL_TRANSITION) // 409
 * ```
 */
export const HTTP_STATUS = {
  VALIDATION: 400,
  NOT_READY: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ILLEGAL_TRANSITION: 409,
  CANCELED: 409,
  LEASE_LOST: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  ASSET_NOT_FOUND: 422,
  INPUT_INVALID: 422,
  INTERNAL: 500,
  STORAGE: 500,
  TRANSCODE_FAILED: 500,
  LEASE_EXPIRED: 500,
  UNSUPPORTED: 501,
  TIMEOUT: 503,
  NO_SPACE: 507,
} as const satisfies Record<HttpErrorCode, ContentfulStatusCode>

/** The JSON body of every error response. */
export interface ErrorBody {
  error: string
  code: HttpErrorCode
}

/**
 * A JSON error response `{ error, code }` with the status of `code`.
 *
 * @example
 * ```ts
 * const res = errorResponse('FORBIDDEN', 'Forbidden') // 403
 * ```
 */
export function errorResponse(
  code: HttpErrorCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  const body: ErrorBody = { error: message, code }
  return jsonResponse(body, HTTP_STATUS[code], headers)
}

// `new Response`, not `Response.json`: under @hono/node-server the global
// `Response` is its own subclass, and `Response.json` would build an instance
// of the original class that `instanceof Response` checks (Hono's validator)
// do not recognise.
function jsonResponse(body: unknown, status: number, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Cache-Control': 'no-store', ...headers, 'Content-Type': 'application/json' },
  })
}

/**
 * The answer for a file of a job that is not completed:
 * `400 {"error":"Video not ready","status":"processing"}`. Clients read
 * `status` from it, so it has no `code`.
 */
export function notReadyResponse(status: MasterVideoStatus): Response {
  return jsonResponse({ error: 'Video not ready', status }, 400)
}

/**
 * Turns anything a route threw into an error response. Messages of 4xx
 * errors are the caller's to read; a 5xx says only "Internal server error"
 * (its message may hold a file path or a database detail) and is logged.
 */
export function toErrorResponse(error: unknown, logger: Logger): Response {
  if (isMasterVideoError(error)) {
    const status = HTTP_STATUS[error.code]
    if (status < 500) return errorResponse(error.code, error.message)
    logger.error({ err: error, code: error.code, origin: error.origin }, 'mastervideo request failed')
    return errorResponse(error.code, 'Internal server error')
  }
  if (error instanceof HTTPException && error.status < 500) {
    if (error.status === 413) return errorResponse('PAYLOAD_TOO_LARGE', 'Request body is too large')
    return errorResponse('VALIDATION', error.message || 'Malformed request')
  }
  logger.error({ err: error }, 'mastervideo request failed')
  return errorResponse('INTERNAL', 'Internal server error')
}
