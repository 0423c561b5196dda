import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isExactly, servedRange, sliceToRange, trimToRange } from './range-body.js'

const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i))

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The body a server sends for `served`, in chunks of 7 bytes. */
function body(start: number, end: number) {
  const part = bytes.subarray(start, end + 1)
  const chunks = []
  for (let i = 0; i < part.length; i += 7) chunks.push(part.subarray(i, i + 7))
  return Readable.from(chunks)
}

describe('servedRange', () => {
  it.each([
    ['bytes 0-0/100', 100, { start: 0, end: 0 }],
    ['bytes 10-99/100', 90, { start: 10, end: 99 }],
    [undefined, 100, { start: 0, end: 99 }],
    [undefined, 0, null],
    [undefined, undefined, null],
  ])('%s with %s bytes', (header, length, expected) => {
    expect(servedRange(header, length)).toEqual(expected)
  })
})

describe('trimToRange and sliceToRange', () => {
  it.each([
    ['the whole object for bytes=0-0', { start: 0, end: 99 }, { start: 0, end: 0 }],
    ['the whole object for a middle span', { start: 0, end: 99 }, { start: 13, end: 41 }],
    ['a wider range than asked', { start: 10, end: 60 }, { start: 20, end: 30 }],
    ['a range ending before the asked end', { start: 50, end: 99 }, { start: 50, end: 200 }],
  ])('cut %s', async (_, served, wanted) => {
    const expected = bytes.subarray(wanted.start, wanted.end + 1)
    expect(isExactly(served, wanted)).toBe(false)
    expect(
      (await collect(trimToRange(body(served.start, served.end), served, wanted))).equals(expected),
    ).toBe(true)
    expect(sliceToRange(bytes.subarray(served.start, served.end + 1), served, wanted).equals(expected)).toBe(
      true,
    )
  })

  it('destroys the source once the last wanted byte has passed', async () => {
    const source = body(0, 99)
    await collect(trimToRange(source, { start: 0, end: 99 }, { start: 0, end: 3 }))
    expect(source.destroyed).toBe(true)
  })

  it('destroys the source when the reader destroys the result', async () => {
    const source = body(0, 99)
    const cut = trimToRange(source, { start: 0, end: 99 }, { start: 0, end: 50 })
    for await (const _ of cut) break
    expect(source.destroyed).toBe(true)
  })

  it('refuses a served range that starts after the wanted start', () => {
    expect(() => trimToRange(body(10, 20), { start: 10, end: 20 }, { start: 5, end: 15 })).toThrow()
  })
})
