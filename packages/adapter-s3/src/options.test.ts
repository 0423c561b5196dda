import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { storageError } from './errors.js'
import { s3Assets } from './s3-assets.js'
import { s3OutputStore } from './s3-output-store.js'

// A client that is never used: option checks happen before any request.
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
const validation = expect.objectContaining({ code: 'VALIDATION', origin: '@mastervideo/adapter-s3' })

describe('s3OutputStore options', () => {
  it.each([
    ['an empty bucket', { bucket: '' }],
    ['parts under 5 MiB', { bucket: 'b', partSizeBytes: 1024 }],
    ['a fractional queue', { bucket: 'b', queueSize: 1.5 }],
    ['a zero queue', { bucket: 'b', queueSize: 0 }],
    ['an absolute prefix', { bucket: 'b', prefix: '/videos' }],
    ['a prefix with ..', { bucket: 'b', prefix: 'a/../b' }],
  ])('refuses %s (VALIDATION)', (_, options) => {
    expect(() => s3OutputStore({ client, ...options })).toThrow(validation)
  })

  it('removes temporary files older than a day at its first prepare, and keeps the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mv-s3-temp-'))
    try {
      const day = 24 * 3600 * 1000
      await writeFile(path.join(dir, '.tmp-old-a.mp4'), 'x')
      await utimes(
        path.join(dir, '.tmp-old-a.mp4'),
        new Date(Date.now() - day - 60_000),
        new Date(Date.now() - day - 60_000),
      )
      await writeFile(path.join(dir, '.tmp-recent-b.mp4'), 'x')
      await writeFile(path.join(dir, 'not-ours.txt'), 'x')
      await utimes(path.join(dir, 'not-ours.txt'), new Date(0), new Date(0))
      const pending = await s3OutputStore({ client, bucket: 'b', tempDir: dir }).prepare('c.mp4')
      expect((await readdir(dir)).sort()).toEqual(['.tmp-recent-b.mp4', 'not-ours.txt'])
      expect(path.dirname(pending.path)).toBe(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('exposes its canonical prefix and object keys', () => {
    const store = s3OutputStore({ client, bucket: 'b', prefix: 'videos' })
    expect(store.prefix).toBe('videos/')
    expect(store.objectKey('a.mp4')).toBe('videos/a.mp4')
    expect(() => store.objectKey('a/b.mp4')).toThrow(validation)
  })
})

describe('s3Assets options', () => {
  it.each([
    ['an empty bucket', { bucket: '', cacheDir: '/tmp/x', maxCacheBytes: 1 }],
    ['no cacheDir', { bucket: 'b', cacheDir: '', maxCacheBytes: 1 }],
    ['a negative budget', { bucket: 'b', cacheDir: '/tmp/x', maxCacheBytes: -1 }],
    ['a prefix with a backslash', { bucket: 'b', cacheDir: '/tmp/x', maxCacheBytes: 1, prefix: 'a\\b' }],
  ])('refuses %s (VALIDATION)', (_, options) => {
    expect(() => s3Assets({ client, ...options })).toThrow(validation)
  })
})

describe('storageError', () => {
  const serviceError = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })

  it.each([
    ['a 5xx', serviceError('InternalError', 500), true],
    ['throttling', serviceError('SlowDown', 503), true],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    ['a local file error', Object.assign(new Error('EACCES'), { code: 'EACCES' }), false],
    ['a network failure without errno', new Error('fetch failed'), true],
    ['a 4xx', serviceError('NoSuchBucket', 404), false],
  ])('%s: STORAGE, retryable %s', (_, error, retryable) => {
    expect(storageError('Cannot read a.mp4', error)).toMatchObject({ code: 'STORAGE', retryable })
  })

  it('says what a 403 may mean', () => {
    expect(storageError('Cannot read a.mp4', serviceError('Forbidden', 403)).message).toBe(
      'Cannot read a.mp4: access denied (without s3:ListBucket, S3 also answers 403 for a missing key)',
    )
  })

  it('names no local path, and a full disk is NO_SPACE', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/srv/cache/x.mp4'"), {
      code: 'ENOENT',
    })
    expect(storageError('Cannot fetch asset "x.mp4"', enoent).message).not.toContain('/srv')
    const full = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })
    expect(storageError('Cannot fetch asset "x.mp4"', full)).toMatchObject({ code: 'NO_SPACE' })
  })
})
