import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { ByteRange, OutputStore, StoredFile } from '@mastervideo/core'
import { errorResponse, storageFailure } from './errors.js'
import { fileValidators, planFileResponse, type RangeRequest } from './range-request.js'

/** What {@link fileResponse} serves, and how. */
export interface FileResponseInput {
  store: OutputStore
  file: StoredFile
  contentType: string
  request: RangeRequest
  /** Most ranges honoured in one request; more and the whole file is sent. */
  maxRanges: number
  /** Sent on every answer about this file (Cache-Control, Content-Disposition). */
  headers: Record<string, string>
}

// Ranges up to this size are read in one go and sent as one buffer: a player's
// seek or a download manager's chunk costs one read and one write, not a stream.
const SMALL_BODY_BYTES = 256 * 1024
// Chunks of a streamed body read before the socket asks for them (64 KiB each
// from a local file): enough to overlap disk and socket, bounded per response.
const READ_AHEAD_CHUNKS = 4

/**
 * Answers a GET or HEAD of a stored file per RFC 9110: validators from its
 * metadata, 304/412 preconditions, single ranges as 206, several as
 * `multipart/byteranges`, 416 with `Content-Range: bytes *\/SIZE`. The body
 * streams from the {@link OutputStore} with back-pressure; a range up to 256
 * KiB is read in one go instead (with the store's `read` when it has one: a
 * player's seek then costs one read and one write). A client that goes away
 * cancels the body, which destroys the read stream and closes its file.
 *
 * @example
 * ```ts
 * const res = await fileResponse({
 *   store: mv.output,
 *   file: { key, size, mtimeMs },
 *   contentType: 'video/mp4',
 *   request: { method: c.req.method, header: (name) => c.req.header(name) },
 *   maxRanges: 8,
 *   headers: { 'Cache-Control': 'private, no-cache' },
 * })
 * ```
 */
export async function fileResponse(input: FileResponseInput): Promise<Response> {
  const { store, file, contentType, request } = input
  const headers = fileHeaders(file, input.headers)
  const head = request.method === 'HEAD'
  const plan = planFileResponse(request, file, input.maxRanges)

  switch (plan.kind) {
    case 'not-modified':
      return new Response(null, { status: 304, headers })
    case 'precondition-failed':
      return errorResponse('PRECONDITION_FAILED', 'Precondition failed', headers)
    case 'unsatisfiable':
      return errorResponse('RANGE_NOT_SATISFIABLE', 'Range not satisfiable', {
        ...headers,
        'Content-Range': `bytes */${file.size}`,
      })
    case 'full':
      return rangeResponse(store, file, { start: 0, end: file.size - 1 }, 200, head, {
        ...headers,
        'Content-Type': contentType,
      })
    case 'partial': {
      const [only] = plan.ranges
      if (plan.ranges.length === 1 && only) {
        return rangeResponse(store, file, only, 206, head, {
          ...headers,
          'Content-Type': contentType,
          'Content-Range': `bytes ${only.start}-${only.end}/${file.size}`,
        })
      }
      return multipartResponse(store, file, plan.ranges, contentType, head, headers)
    }
  }
}

/**
 * The headers every answer about `file` carries: the caller's (`headers`),
 * `Accept-Ranges`, the validators and `nosniff`.
 *
 * @example
 * ```ts
 * const headers = fileHeaders({ key, size: 1024, mtimeMs: Date.now() }, { 'Cache-Control': 'private, no-cache' })
 * ```
 */
export function fileHeaders(file: StoredFile, headers: Record<string, string>): Record<string, string> {
  const { etag, lastModified } = fileValidators(file)
  return {
    ...headers,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': lastModified,
    'X-Content-Type-Options': 'nosniff',
  }
}

/** Whether a body of `length` bytes is read in one go rather than streamed. */
export const isSmallBody = (length: number): boolean => length <= SMALL_BODY_BYTES

/**
 * The bytes of `range` of `file` in one buffer (the store's `read` when it
 * has one); throws `STORAGE` when the store has fewer than the range holds.
 *
 * @example
 * ```ts
 * const body = await readRange(store, file, { start: 0, end: 65535 })
 * ```
 */
export async function readRange(store: OutputStore, file: StoredFile, range: ByteRange): Promise<Buffer> {
  const length = range.end - range.start + 1
  const body = store.read ? await store.read(file.key, range) : await readAll(store, file.key, range, length)
  // A file that shrank under us would leave the answer short of its
  // Content-Length: never send that.
  if (body.length !== length) {
    throw storageFailure('The stored file is shorter than its size', {
      details: { key: file.key, expected: length, read: body.length },
    })
  }
  return body
}

async function rangeResponse(
  store: OutputStore,
  file: StoredFile,
  range: ByteRange,
  status: 200 | 206,
  head: boolean,
  headers: Record<string, string>,
): Promise<Response> {
  const length = range.end - range.start + 1
  headers['Content-Length'] = String(length)
  if (head || length === 0) return new Response(null, { status, headers })
  if (isSmallBody(length)) return new Response(await readRange(store, file, range), { status, headers })
  return new Response(webStream(await store.createReadStream(file.key, range)), { status, headers })
}

// A small range from a store without `read`: its read stream, gathered.
async function readAll(store: OutputStore, key: string, range: ByteRange, length: number): Promise<Buffer> {
  const stream = await store.createReadStream(key, range)
  const body = Buffer.allocUnsafe(length)
  let offset = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      offset += chunk.copy(body, offset)
    }
  } finally {
    stream.destroy()
  }
  return offset === length ? body : body.subarray(0, offset)
}

function multipartResponse(
  store: OutputStore,
  file: StoredFile,
  ranges: ByteRange[],
  contentType: string,
  head: boolean,
  headers: Record<string, string>,
): Response {
  const boundary = randomBytes(12).toString('hex')
  const partHeads = ranges.map((range) =>
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${range.start}-${range.end}/${file.size}\r\n\r\n`,
    ),
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const length = ranges.reduce(
    (sum, range, i) => sum + (partHeads[i] as Buffer).length + range.end - range.start + 1,
    tail.length,
  )
  const all = {
    ...headers,
    'Content-Type': `multipart/byteranges; boundary=${boundary}`,
    'Content-Length': String(length),
  }
  if (head) return new Response(null, { status: 206, headers: all })
  async function* parts(): AsyncGenerator<Uint8Array> {
    for (const [i, range] of ranges.entries()) {
      yield partHeads[i] as Buffer
      const stream = await store.createReadStream(file.key, range)
      try {
        yield* stream as AsyncIterable<Buffer>
      } finally {
        stream.destroy()
      }
    }
    yield tail
  }
  return new Response(webStream(parts()), { status: 206, headers: all })
}

/**
 * A web `ReadableStream` that pulls chunks from `source` and, when canceled
 * (the client went away), ends the source at once: a Node stream is
 * destroyed, its file closed. It reads ahead at most {@link READ_AHEAD_CHUNKS}
 * chunks, so the next file read overlaps the socket write (as `pipe` does)
 * while the socket's back-pressure still stops the reads.
 */
function webStream(source: Readable | AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator: AsyncIterator<Uint8Array> =
    Symbol.asyncIterator in source && !('destroy' in source)
      ? source
      : (source as Readable)[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await iterator.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel() {
        if ('destroy' in source) source.destroy()
        await iterator.return?.()
      },
    },
    { highWaterMark: READ_AHEAD_CHUNKS },
  )
}
