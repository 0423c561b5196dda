import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ByteRange, Logger } from '@mastervideo/core'
import type { Context } from 'hono'
import { type FileResponseInput, fileHeaders, isSmallBody, readRange } from './file-response.js'
import { planFileResponse } from './range-request.js'
import { recordServedBytes } from './served-bytes.js'

/**
 * The header of a bodiless `Response` that tells `@hono/node-server` the
 * answer was written to its Node response already (what its
 * `RESPONSE_ALREADY_SENT` carries), so it writes nothing more.
 */
export const ALREADY_SENT_HEADER = 'x-hono-already-sent'

// Headers that describe the bytes on the wire: the file's own always win over the host's.
const FRAMING = new Set(['content-type', 'content-length', 'content-range', 'transfer-encoding'])

/** The Node request and response `@hono/node-server` hands the app as `c.env`. */
interface NodeBindings {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

/** `c.env`'s Node response when the app runs on `@hono/node-server` and nothing was sent yet. */
function nodeBindings(c: Context): NodeBindings | null {
  const env = c.env as Partial<NodeBindings> | undefined
  const outgoing = env?.outgoing
  const incoming = env?.incoming
  if (
    !outgoing ||
    !incoming ||
    typeof outgoing.writeHead !== 'function' ||
    typeof incoming.headers !== 'object'
  ) {
    return null
  }
  return outgoing.headersSent || outgoing.destroyed ? null : { incoming, outgoing }
}

/**
 * The headers the answer goes out with: the file's, under the ones host
 * middleware set on the context before the route (CORS, security headers),
 * as Hono lays a context's headers over a route's `Response`; the framing
 * headers (`Content-Type`, `Content-Length`, `Content-Range`) stay the file's.
 */
function outgoingHeaders(c: Context, own: Record<string, string>): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  for (const name in own) headers[name.toLowerCase()] = own[name]
  const host = c.res.headers
  for (const [name, value] of host) {
    if (FRAMING.has(name)) continue
    headers[name] = name === 'set-cookie' ? host.getSetCookie() : value
  }
  return headers
}

/**
 * Answers a GET of a whole file or of one byte range by writing the status,
 * the headers and the bytes straight to the Node response of
 * `@hono/node-server` (`c.env.outgoing`), without a web `Response` and
 * `ReadableStream` in between: a range up to 256 KiB is one read and one
 * write, a larger body a stream `pipeline` (back-pressure from the socket; a
 * client that goes away destroys the read stream and closes the file).
 * Resolves with a bodiless `Response` carrying the status, the type and
 * length sent and {@link ALREADY_SENT_HEADER}, which the host returns as is.
 *
 * Resolves with `null`, and writes nothing, when the app does not run on
 * `@hono/node-server` (`app.request()`, Bun, Deno, workers) or the answer is
 * not one body of the file (HEAD, 304, 412, 416, several ranges, an empty
 * file): the caller answers with {@link fileResponse} then. Headers host
 * middleware sets after the route (after `await next()`) cannot reach an
 * answer sent already.
 *
 * @example
 * ```ts
 * const sent = await nodeFileResponse(c, input)
 * return sent ?? (await fileResponse(input))
 * ```
 */
export async function nodeFileResponse(
  c: Context,
  input: FileResponseInput,
  logger?: Logger,
): Promise<Response | null> {
  const node = nodeBindings(c)
  if (!node || input.request.method !== 'GET') return null
  const { store, file, contentType } = input
  const requestHeaders = node.incoming.headers
  const request = {
    method: 'GET',
    header: (name: string) => {
      const value = requestHeaders[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
  const plan = planFileResponse(request, file, input.maxRanges)
  let range: ByteRange
  let status: 200 | 206
  const own = fileHeaders(file, input.headers)
  own['Content-Type'] = contentType
  if (plan.kind === 'full') {
    range = { start: 0, end: file.size - 1 }
    status = 200
  } else if (plan.kind === 'partial' && plan.ranges.length === 1 && plan.ranges[0]) {
    range = plan.ranges[0]
    status = 206
    own['Content-Range'] = `bytes ${range.start}-${range.end}/${file.size}`
  } else {
    return null
  }
  const length = range.end - range.start + 1
  if (length <= 0) return null
  own['Content-Length'] = String(length)

  // Open or read before the status goes out: a storage failure is still a 500.
  const body: Buffer | Readable = isSmallBody(length)
    ? await readRange(store, file, range)
    : await store.createReadStream(file.key, range)
  const { outgoing } = node
  const headers = outgoingHeaders(c, own)
  if (outgoing.destroyed) {
    // The client left while the store answered.
    if (!Buffer.isBuffer(body)) body.destroy()
  } else {
    outgoing.writeHead(status, headers)
    recordServedBytes(length, status, contentType)
    if (Buffer.isBuffer(body)) outgoing.end(body)
    else await sendStream(body, outgoing, file.key, logger)
  }
  // What middleware after the route may read (a logger's status and length); the rest is on the wire.
  return new Response(null, {
    status,
    headers: {
      'Content-Type': contentType,
      'Content-Length': own['Content-Length'],
      [ALREADY_SENT_HEADER]: 'true',
    },
  })
}

/**
 * Pipes `body` to the response until the last byte is written or either side
 * fails. The headers are out, so a failure can only end the connection
 * (which `pipeline` does); a client that hung up is not worth a log line.
 */
async function sendStream(body: Readable, outgoing: ServerResponse, key: string, logger?: Logger) {
  try {
    await pipeline(body, outgoing)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger?.warn({ err: error, key }, 'mastervideo could not send a file')
    }
  }
}
