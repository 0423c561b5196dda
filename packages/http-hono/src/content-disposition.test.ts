import { describe, expect, it } from 'vitest'
import { contentDisposition, safeFileName } from './content-disposition.js'

const parse = (header: string) => {
  const match =
    /^(attachment|inline); filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/.exec(header)
  if (!match) throw new Error(`not an RFC 6266 value: ${header}`)
  return { type: match[1], fallback: match[2] as string, name: decodeURIComponent(match[3] as string) }
}

describe('contentDisposition', () => {
  it.each([
    // [what we tried, name, the UTF-8 name a browser saves, the ASCII fallback]
    ['plain ASCII (filename* is sent too)', 'clip_1.mp4', 'clip_1.mp4', 'clip_1.mp4'],
    ['Cyrillic', 'Видео.mp4', 'Видео.mp4', '_.mp4'],
    ['accents keep their base letter', 'café déjà.mp4', 'café déjà.mp4', 'cafe deja.mp4'],
    [
      'CR LF (header injection)',
      'a\r\nSet-Cookie: x=1.mp4',
      'a Set-Cookie: x=1.mp4',
      'a Set-Cookie: x=1.mp4',
    ],
    ['quotes and backslashes', 'say "hi" \\ bye.mp4', 'say "hi" _ bye.mp4', 'say _hi_ _ bye.mp4'],
    ['path separators', '../../etc/passwd', '.._.._etc_passwd', '.._.._etc_passwd'],
    ['tab, NUL, DEL and C1 controls', 'a\tb\u0000c\u007fd\u0085e.mp4', 'a b c d e.mp4', 'a b c d e.mp4'],
    ['Unicode line separators', 'a\u2028b\u2029c', 'a b c', 'a b c'],
    ['percent signs (some clients decode them in filename)', '100%.mp4', '100%.mp4', '100_.mp4'],
    ['emoji (4-byte UTF-8)', '🎬 final.mp4', '🎬 final.mp4', '_ final.mp4'],
    ['only control characters', '\r\n\t', 'download', 'download'],
  ])('%s', (_what, name, saved, fallback) => {
    const header = contentDisposition(name)
    expect(header).not.toMatch(/[\u0000-\u001f\u007f]/)
    const parsed = parse(header)
    expect(parsed.type).toBe('attachment')
    expect(parsed.name).toBe(saved)
    expect(parsed.fallback).toBe(fallback)
  })

  it('percent-encodes every byte outside RFC 8187 attr-char, in upper-case hex', () => {
    expect(contentDisposition("a b'(c)*.mp4")).toBe(
      `attachment; filename="a b'(c)*.mp4"; filename*=UTF-8''a%20b%27%28c%29%2A.mp4`,
    )
    expect(contentDisposition('Я', 'inline')).toBe(`inline; filename="_"; filename*=UTF-8''%D0%AF`)
  })

  it('safeFileName collapses runs of spaces it made', () => {
    expect(safeFileName('  a \n\n b  ')).toBe('a b')
  })
})
