import { Readable } from 'node:stream'
import type { ByteRange } from '@mastervideo/core'

/**
 * The inclusive byte range a GetObject response carries: its `Content-Range`,
 * or the whole object when there is none (a server that ignored `Range`).
 * Null when neither says (an empty object).
 */
export function servedRange(
  contentRange: string | undefined,
  contentLength: number | undefined,
): ByteRange | null {
  const match = contentRange ? /^bytes (\d+)-(\d+)\//.exec(contentRange) : null
  if (match) return { start: Number(match[1]), end: Number(match[2]) }
  return contentLength ? { start: 0, end: contentLength - 1 } : null
}

/** Whether the served range is exactly the wanted one (the usual case: no copy, no wrapper). */
export function isExactly(served: ByteRange | null, wanted: ByteRange): boolean {
  return served !== null && served.start === wanted.start && served.end === wanted.end
}

/**
 * Cuts `body`, which holds `served`, down to `wanted`: some servers answer a
 * range ending at byte 0 (`bytes=0-0`), or any range, with more than asked
 * (s3rver 3.7 sends the whole object for `bytes=0-0`). The source is
 * destroyed as soon as the last wanted byte has passed, releasing its socket.
 *
 * @throws when the served range does not cover the start of the wanted one.
 */
export function trimToRange(body: Readable, served: ByteRange, wanted: ByteRange): Readable {
  if (served.start > wanted.start)
    throw new Error(`the server sent bytes from ${served.start}, not ${wanted.start}`)
  const skip = wanted.start - served.start
  const take = Math.max(0, Math.min(wanted.end, served.end) - wanted.start + 1)
  async function* cut() {
    let toSkip = skip
    let toTake = take
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (toTake === 0) return
        let piece = chunk
        if (toSkip > 0) {
          const dropped = Math.min(toSkip, piece.length)
          toSkip -= dropped
          piece = piece.subarray(dropped)
        }
        if (piece.length > toTake) piece = piece.subarray(0, toTake)
        toTake -= piece.length
        if (piece.length > 0) yield piece
        if (toTake === 0) return
      }
    } finally {
      // Leaving early (the last wanted byte passed, or the reader destroyed
      // the result) releases the source's socket at once.
      body.destroy()
    }
  }
  return Readable.from(cut(), { objectMode: false })
}

/** `bytes` cut from `served` down to `wanted` (see {@link trimToRange}). */
export function sliceToRange(bytes: Buffer, served: ByteRange, wanted: ByteRange): Buffer {
  if (served.start > wanted.start)
    throw new Error(`the server sent bytes from ${served.start}, not ${wanted.start}`)
  const from = wanted.start - served.start
  return bytes.subarray(from, from + Math.max(0, Math.min(wanted.end, served.end) - wanted.start + 1))
}
