import { describe, expect, it } from 'vitest'
import { concatListText, quoteConcatPath, representableInConcatList } from './concat-list.js'

describe('concat list', () => {
  it('quotes the single quote the way the demuxer tokenizer reads it back', () => {
    expect(quoteConcatPath("/v/it's.mp4")).toBe("'/v/it'\\''s.mp4'")
    expect(quoteConcatPath('/v/a b\\c "клип".mp4')).toBe(`'/v/a b\\c "клип".mp4'`)
  })

  it('refuses a path a line-based list cannot carry (newline, carriage return, other controls)', () => {
    for (const bad of ['/v/a\nfile /etc/passwd', '/v/a\rb', '/v/a\u0000b', '/v/a\u001bb']) {
      expect(representableInConcatList(bad)).toBe(false)
      expect(() => quoteConcatPath(bad)).toThrow(/cannot carry/)
    }
    expect(representableInConcatList("/v/it's клип.mp4")).toBe(true)
  })

  it('writes inpoint/outpoint only for trimmed clips', () => {
    expect(concatListText([{ path: '/a.mp4' }, { path: '/b.mp4', inpoint: 1.5, outpoint: 3 }])).toBe(
      "ffconcat version 1.0\nfile '/a.mp4'\nfile '/b.mp4'\ninpoint 1.500000\noutpoint 3.000000\n",
    )
  })

  it('writes a duration when given: where the next clip starts', () => {
    expect(
      concatListText([
        { path: '/a.mp4', duration: 1.52 },
        { path: '/b.mp4', inpoint: 0.5, duration: 1 },
      ]),
    ).toBe(
      "ffconcat version 1.0\nfile '/a.mp4'\nduration 1.520000\nfile '/b.mp4'\ninpoint 0.500000\nduration 1.000000\n",
    )
  })
})
