import { describe, expect, it } from 'vitest'
import { fileValidators, parseRange, planFileResponse } from './range-request.js'

describe('parseRange', () => {
  it.each([
    // [what we tried, header, size, expected]
    [
      'empty list elements are skipped',
      'bytes=,0-1,,',
      10,
      { kind: 'ranges', ranges: [{ start: 0, end: 1 }] },
    ],
    ['tabs around a range', 'bytes=\t2-3\t', 10, { kind: 'ranges', ranges: [{ start: 2, end: 3 }] }],
    [
      'a last-pos beyond 2^53 is clipped',
      'bytes=5-99999999999999999999999',
      10,
      { kind: 'ranges', ranges: [{ start: 5, end: 9 }] },
    ],
    [
      'a first-pos beyond 2^53 is unsatisfiable',
      'bytes=99999999999999999999999-',
      10,
      { kind: 'unsatisfiable' },
    ],
    [
      'a huge suffix is the whole file',
      'bytes=-99999999999999999999999',
      10,
      { kind: 'ranges', ranges: [{ start: 0, end: 9 }] },
    ],
    [
      'adjacent ranges are not overlapping',
      'bytes=0-4,5-9',
      10,
      {
        kind: 'ranges',
        ranges: [
          { start: 0, end: 4 },
          { start: 5, end: 9 },
        ],
      },
    ],
    [
      'order of the request is kept',
      'bytes=5-9,0-1',
      10,
      {
        kind: 'ranges',
        ranges: [
          { start: 5, end: 9 },
          { start: 0, end: 1 },
        ],
      },
    ],
    ['a suffix overlapping a range', 'bytes=0-5,-5', 10, { kind: 'ignore' }],
    ['any range of an empty file', 'bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['a suffix of an empty file', 'bytes=-5', 0, { kind: 'unsatisfiable' }],
    ['a negative number', 'bytes=-5-', 10, { kind: 'ignore' }],
    ['only commas', 'bytes=,,', 10, { kind: 'ignore' }],
    ['no unit', '=0-1', 10, { kind: 'ignore' }],
    ['a plus sign', 'bytes=+1-2', 10, { kind: 'ignore' }],
  ] as const)('%s', (_what, header, size, expected) => {
    expect(parseRange(header, size, 8)).toEqual(expected)
  })
})

describe('planFileResponse', () => {
  const file = { size: 100, mtimeMs: Date.UTC(2024, 0, 1, 12, 0, 0, 500) }
  const { etag, lastModified } = fileValidators(file)
  const plan = (headers: Record<string, string>, method = 'GET') =>
    planFileResponse({ method, header: (name) => headers[name] }, file, 8)

  it('validators come from size and mtime, with the mtime truncated to a second in Last-Modified', () => {
    expect(etag).toBe(`"${Math.floor(file.mtimeMs).toString(16)}-64"`)
    expect(lastModified).toBe('Mon, 01 Jan 2024 12:00:00 GMT')
    expect(fileValidators({ ...file, size: 101 }).etag).not.toBe(etag)
  })

  it('If-Match is evaluated before If-None-Match (412 wins over 304)', () => {
    expect(plan({ 'if-match': '"x"', 'if-none-match': etag })).toEqual({ kind: 'precondition-failed' })
  })

  it('If-Unmodified-Since is ignored when If-Match is present', () => {
    expect(plan({ 'if-match': etag, 'if-unmodified-since': 'Mon, 01 Jan 2000 00:00:00 GMT' })).toEqual({
      kind: 'full',
    })
  })

  it('an entity tag containing a comma is one tag', () => {
    const tagged = planFileResponse(
      { method: 'GET', header: (n) => (n === 'if-none-match' ? '"a,b", "c"' : undefined) },
      file,
      8,
    )
    expect(tagged).toEqual({ kind: 'full' })
  })

  it('If-Range without Range changes nothing', () => {
    expect(plan({ 'if-range': '"stale"' })).toEqual({ kind: 'full' })
  })
})
