import { describe, expect, it } from 'vitest'
import { checkOutputKey, contentTypeOf, joinKey, normalizePrefix, refuseObjectPath } from './s3-keys.js'

describe('checkOutputKey', () => {
  it.each(['master_1_abcdefgh_1700000000000.mp4', 'a.jpg', 'A-b_c.d'])('accepts %j', (key) => {
    expect(checkOutputKey(key)).toBe(key)
  })
  it.each([
    '',
    'a/b.mp4',
    '../a.mp4',
    '..',
    '.hidden',
    'a..b.mp4',
    'a\u0000b',
    'a\\b',
    '/abs',
    'x'.repeat(256),
  ])('refuses %j (VALIDATION)', (key) => {
    expect(() => checkOutputKey(key)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
})

describe('refuseObjectPath', () => {
  it.each(['a.mp4', 'p1/clips/a b.mp4', 'é/ü.mp4', 'a..b.mp4'])('accepts %j', (value) => {
    expect(refuseObjectPath(value)).toBeNull()
  })
  it.each([
    ['', 'is empty'],
    [42, 'is empty'],
    ['a\u0000b', 'contains a NUL byte'],
    ['a\tb', 'contains a control character'],
    ['a\\b', 'contains a backslash'],
    ['/a', 'is an absolute path'],
    ['C:/a', 'is an absolute path'],
    ['a/../b', 'contains ".."'],
    ['..', 'contains ".."'],
    ['a//b', 'has an empty or "." segment'],
    ['./a', 'has an empty or "." segment'],
    ['a/', 'has an empty or "." segment'],
    ['é'.repeat(513), 'is longer than 1024 bytes'],
  ])('refuses %j: %s', (value, reason) => {
    expect(refuseObjectPath(value)).toBe(reason)
  })
})

describe('normalizePrefix and joinKey', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['videos', 'videos/'],
    ['videos/', 'videos/'],
    ['a/b', 'a/b/'],
  ])('%j -> %j', (prefix, expected) => {
    expect(normalizePrefix(prefix)).toBe(expected)
  })
  it.each(['/videos', '../x', 'a//b', 'a\\b', '/'])('refuses the prefix %j', (prefix) => {
    expect(() => normalizePrefix(prefix)).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
  })
  it('joins and refuses keys past 1024 bytes', () => {
    expect(joinKey('videos/', 'a.mp4')).toBe('videos/a.mp4')
    expect(() => joinKey('p/'.repeat(400), 'x'.repeat(230))).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
  })
})

describe('contentTypeOf', () => {
  it.each([
    ['a.mp4', 'video/mp4'],
    ['a.JPG', 'image/jpeg'],
    ['a.m3u8', 'application/vnd.apple.mpegurl'],
    ['a', 'application/octet-stream'],
  ])('%s -> %s', (key, type) => {
    expect(contentTypeOf(key)).toBe(type)
  })
})
