import { describe, expect, it } from 'vitest'
import { decodeText, encodeText } from './text-encoding.js'

// What we tried: NUL anywhere, the marker character itself, backslashes that
// look like our escapes, unpaired high and low surrogates, and ordinary text.
const tricky = [
  '',
  'plain',
  'Кириллица 😀 עברית',
  '\u0000',
  'a\u0000b\u0000',
  '\u0001',
  '\u0001plain',
  '\u0001\\0',
  '\\0',
  '\\\\0',
  '\\u0000',
  '\\ud800',
  '\ud800',
  'x\udc00y',
  '\udbff\udfff', // a valid pair (U+10FFFF): stays as is
  `qu'o"te\\ ${'x'.repeat(10_000)}`,
]

describe('text encoding for PostgreSQL text columns', () => {
  it('round-trips every string exactly', () => {
    for (const value of tricky) expect(decodeText(encodeText(value))).toBe(value)
  })

  it('never stores NUL or an unpaired surrogate', () => {
    for (const value of tricky) {
      const stored = encodeText(value)
      expect(stored.includes('\u0000')).toBe(false)
      expect(/\p{Cs}/u.test(stored)).toBe(false)
    }
  })

  it('maps different strings to different stored forms (equality in SQL stays equality)', () => {
    const stored = tricky.map(encodeText)
    expect(new Set(stored).size).toBe(tricky.length)
  })

  it('leaves ordinary strings, backslashes included, unchanged so they read plainly in psql', () => {
    for (const value of ['plain', 'C:\\videos\\a.mp4', 'Кириллица 😀', '\\0']) {
      expect(encodeText(value)).toBe(value)
    }
  })

  it('round-trips random strings over the whole UTF-16 range', () => {
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(Math.random() * 12)
      const value = String.fromCharCode(
        ...Array.from({ length }, () =>
          Math.random() < 0.3
            ? ([0, 1, 92, 0xd800, 0xdc00][Math.floor(Math.random() * 5)] ?? 0)
            : Math.floor(Math.random() * 0x10000),
        ),
      )
      expect(decodeText(encodeText(value))).toBe(value)
    }
  })
})
