// Every byte-range and conditional case of RFC 9110 the video route promises,
// over a real listening server: status, headers and exact bytes. A function,
// so the same checklist runs against every OutputStore the routes serve from
// (ranges.test.ts: the local store; s3-delivery.test.ts: S3).
import { beforeAll, describe, expect, it } from 'vitest'
import { type RawResponse, request } from './helpers.js'

/** A server with one completed job, as the checklist needs it. */
export interface RangeTarget {
  /** The job's `/video` URL; `/download` and `/thumbnail` are next to it. */
  videoUrl: string
  /** The stored video's bytes. */
  bytes: Buffer
  /** The stored video's modification time (what Last-Modified derives from). */
  mtimeMs: number
  /** The size of the stored thumbnail. */
  thumbnailSize: number
}

/**
 * Registers the range, precondition, download and thumbnail cases against
 * `target()` (without the thumbnail's when `options.thumbnail` is false). Call it after the `beforeAll` that starts the server: hooks run
 * in the order they are registered.
 */
export function rangeChecklist(target: () => RangeTarget, options: { thumbnail?: boolean } = {}): void {
  let bytes: Buffer
  let SIZE: number
  let videoUrl: string
  let etag: string
  let lastModified: string

  beforeAll(async () => {
    ;({ bytes, videoUrl } = target())
    SIZE = bytes.length
    const first = await request(videoUrl)
    etag = first.headers.etag as string
    lastModified = first.headers['last-modified'] as string
  })

  async function get(headers: Record<string, string> = {}, method = 'GET', url?: string) {
    const res = await request(url ?? videoUrl, { method, headers })
    // Content-Length is always the exact number of body bytes (HEAD and 304 send none).
    if (method === 'GET' && res.headers['content-length'] !== undefined) {
      expect(Number(res.headers['content-length'])).toBe(res.body.length)
    }
    return res
  }

  function expectWhole(res: RawResponse) {
    expect(res.status).toBe(200)
    expect(res.headers['content-range']).toBeUndefined()
    expect(res.headers['content-length']).toBe(String(SIZE))
    expect(res.body.equals(bytes)).toBe(true)
  }

  function expectPartial(res: RawResponse, start: number, end: number) {
    expect(res.status).toBe(206)
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${SIZE}`)
    expect(res.headers['content-length']).toBe(String(end - start + 1))
    expect(res.headers['content-type']).toBe('video/mp4')
    expect(res.body.equals(bytes.subarray(start, end + 1))).toBe(true)
  }

  describe('GET video without conditions', () => {
    it('sends the whole file with validators taken from the stored file', async () => {
      const res = await get()
      expectWhole(res)
      expect(res.headers['accept-ranges']).toBe('bytes')
      expect(res.headers['content-type']).toBe('video/mp4')
      expect(res.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/) // strong: no W/
      expect(res.headers['last-modified']).toBe(new Date(Math.floor(target().mtimeMs)).toUTCString())
      expect(res.headers['cache-control']).toBe('private, no-cache')
    })

    it('HEAD answers the same headers and no body', async () => {
      const [full, head] = [await get(), await get({}, 'HEAD')]
      expect(head.status).toBe(200)
      expect(head.body.length).toBe(0)
      for (const name of ['content-length', 'content-type', 'etag', 'last-modified', 'accept-ranges']) {
        expect(head.headers[name]).toBe(full.headers[name])
      }
    })
  })

  describe('single ranges', () => {
    it('bytes=0-1 (what Safari asks first) is a 206 of two bytes', async () => {
      expectPartial(await get({ Range: 'bytes=0-1' }), 0, 1)
    })
    it('a closed range in the middle', async () => {
      expectPartial(await get({ Range: 'bytes=1000-1999' }), 1000, 1999)
    })
    it('an open range runs to the end', async () => {
      expectPartial(await get({ Range: 'bytes=50000-' }), 50000, SIZE - 1)
    })
    it('a suffix range is the last n bytes', async () => {
      expectPartial(await get({ Range: 'bytes=-300' }), SIZE - 300, SIZE - 1)
    })
    it('a suffix longer than the file is the whole file as 206 (send answers 416 here)', async () => {
      expectPartial(await get({ Range: `bytes=-${SIZE + 1000}` }), 0, SIZE - 1)
    })
    it('a range past the end is clipped to the last byte', async () => {
      expectPartial(await get({ Range: `bytes=${SIZE - 10}-${SIZE + 5000}` }), SIZE - 10, SIZE - 1)
    })
    it('the last byte alone', async () => {
      expectPartial(await get({ Range: `bytes=${SIZE - 1}-${SIZE - 1}` }), SIZE - 1, SIZE - 1)
    })
    it('the unit is case-insensitive and whitespace around ranges is allowed', async () => {
      expectPartial(await get({ Range: 'Bytes= 10-19 ' }), 10, 19)
    })
    it('HEAD with a Range answers 200 with the full length (ranges are defined for GET only)', async () => {
      const res = await get({ Range: 'bytes=0-1' }, 'HEAD')
      expect(res.status).toBe(200)
      expect(res.headers['content-length']).toBe(String(SIZE))
      expect(res.body.length).toBe(0)
    })
  })

  describe('unsatisfiable and malformed ranges', () => {
    it.each([
      ['a first byte at the size', () => `bytes=${SIZE}-`],
      ['a first byte past the end', () => `bytes=${SIZE + 100}-${SIZE + 200}`],
      ['a zero-length suffix', () => 'bytes=-0'],
      ['several ranges, none satisfiable', () => `bytes=${SIZE}-, ${SIZE + 5}-${SIZE + 9}`],
    ])('%s -> 416 with Content-Range: bytes */SIZE', async (_what, range) => {
      const res = await get({ Range: range() })
      expect(res.status).toBe(416)
      expect(res.headers['content-range']).toBe(`bytes */${SIZE}`)
      expect(JSON.parse(res.body.toString())).toEqual({
        error: 'Range not satisfiable',
        code: 'RANGE_NOT_SATISFIABLE',
      })
    })

    it.each([
      'bytes=abc',
      'bytes=5-2', // last before first: an invalid range makes the header invalid
      'bytes=',
      'bytes 0-1',
      'bytes=1-2-3',
      'bytes=0x1-2',
      'bytes=1.5-2',
      'bytes=-1-2',
      'items=0-1', // an unknown unit
      'bytes=0-1,abc',
    ])('a malformed Range %j is ignored: 200 with the whole file', async (range) => {
      expectWhole(await get({ Range: range }))
    })
  })

  describe('multiple ranges', () => {
    it('non-overlapping ranges come back as multipart/byteranges with exact parts', async () => {
      const res = await get({ Range: 'bytes=0-9, 100-109, -5' })
      expect(res.status).toBe(206)
      const type = res.headers['content-type'] as string
      const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1]
      expect(boundary).toBeTruthy()
      const expected = [
        [0, 9],
        [100, 109],
        [SIZE - 5, SIZE - 1],
      ]
        .map(
          ([start, end]) =>
            `\r\n--${boundary}\r\nContent-Type: video/mp4\r\nContent-Range: bytes ${start}-${end}/${SIZE}\r\n\r\n${bytes.subarray(start as number, (end as number) + 1).toString('latin1')}`,
        )
        .join('')
      expect(res.body.toString('latin1')).toBe(`${expected}\r\n--${boundary}--\r\n`)
    })

    it('overlapping ranges (amplification) get the whole file once', async () => {
      expectWhole(await get({ Range: 'bytes=0-999,500-1499' }))
      expectWhole(await get({ Range: `bytes=0-,0-,0-,0-` }))
    })

    it('more ranges than maxRanges (8) get the whole file', async () => {
      const nine = Array.from({ length: 9 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')
      expectWhole(await get({ Range: `bytes=${nine}` }))
    })

    it('several ranges of which one is satisfiable: a single 206 part', async () => {
      expectPartial(await get({ Range: `bytes=${SIZE + 1}-, 20-29` }), 20, 29)
    })
  })

  describe('conditional requests', () => {
    it('If-None-Match with the ETag -> 304 without a body, validators repeated', async () => {
      for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const res = await get({ 'If-None-Match': value })
        expect(res.status, value).toBe(304)
        expect(res.body.length).toBe(0)
        expect(res.headers.etag).toBe(etag)
      }
    })

    it('If-None-Match with another tag -> 200, even when If-Modified-Since would match', async () => {
      expectWhole(await get({ 'If-None-Match': '"nope"', 'If-Modified-Since': lastModified }))
    })

    it('If-Modified-Since at or after Last-Modified -> 304; before it, or not a date -> 200', async () => {
      expect((await get({ 'If-Modified-Since': lastModified })).status).toBe(304)
      const later = new Date(Date.parse(lastModified) + 60_000).toUTCString()
      expect((await get({ 'If-Modified-Since': later })).status).toBe(304)
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
      expectWhole(await get({ 'If-Modified-Since': earlier }))
      expectWhole(await get({ 'If-Modified-Since': 'yesterday' }))
    })

    it('If-Range with the current ETag or date honours the Range', async () => {
      expectPartial(await get({ Range: 'bytes=5-9', 'If-Range': etag }), 5, 9)
      expectPartial(await get({ Range: 'bytes=5-9', 'If-Range': lastModified }), 5, 9)
    })

    it('If-Range with a stale ETag, a weak ETag or an older date -> 200 with the whole file', async () => {
      expectWhole(await get({ Range: 'bytes=5-9', 'If-Range': '"stale-1"' }))
      expectWhole(await get({ Range: 'bytes=5-9', 'If-Range': `W/${etag}` }))
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
      expectWhole(await get({ Range: 'bytes=5-9', 'If-Range': earlier }))
    })

    it('If-Match failing (another tag, or a weak one) -> 412; matching -> 200', async () => {
      for (const value of ['"other"', `W/${etag}`]) {
        const res = await get({ 'If-Match': value })
        expect(res.status, value).toBe(412)
        expect(JSON.parse(res.body.toString())).toEqual({
          error: 'Precondition failed',
          code: 'PRECONDITION_FAILED',
        })
      }
      expectWhole(await get({ 'If-Match': etag }))
      expectWhole(await get({ 'If-Match': '*' }))
      expectPartial(await get({ 'If-Match': etag, Range: 'bytes=0-1' }), 0, 1)
    })

    it('If-Unmodified-Since before Last-Modified -> 412', async () => {
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
      expect((await get({ 'If-Unmodified-Since': earlier })).status).toBe(412)
      expectWhole(await get({ 'If-Unmodified-Since': lastModified }))
    })
  })

  describe('download and thumbnail', () => {
    it('download serves the same bytes with ranges and validators', async () => {
      const url = videoUrl.replace(/\/video$/, '/download')
      const res = await get({ Range: 'bytes=10-20' }, 'GET', url)
      expectPartial(res, 10, 20)
      expect(res.headers['content-disposition']).toMatch(/^attachment; /)
      expect(res.headers.etag).toBe(etag)
      const head = await get({}, 'HEAD', url)
      expect(head.status).toBe(200)
      expect(head.headers['content-length']).toBe(String(SIZE))
      expect(head.headers['content-disposition']).toBe(res.headers['content-disposition'])
    })

    // A rendition has a video and a download, and no thumbnail of its own.
    it.runIf(options.thumbnail ?? true)('thumbnail is the stored JPEG', async () => {
      const res = await get({}, 'GET', videoUrl.replace(/\/video$/, '/thumbnail'))
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('image/jpeg')
      expect(res.body.subarray(0, 2).toString('hex')).toBe('ffd8') // JPEG SOI marker
      expect(res.headers['content-length']).toBe(String(target().thumbnailSize))
    })
  })
}
