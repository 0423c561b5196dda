import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attachmentDisposition, type S3OutputStore, s3OutputStore } from '../src/index.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

const KEY = 'master_1_abcdefgh_1700000000000.mp4'
let s3: S3Fixture
let tempDir: string
let store: S3OutputStore
const bytes = randomBytes(100_000)

beforeAll(async () => {
  s3 = await startS3()
  tempDir = await mkdtemp(path.join(tmpdir(), 'mv-s3-presign-'))
  store = s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix: s3.uniquePrefix(), tempDir })
  const pending = await store.prepare(KEY)
  await writeFile(pending.path, bytes)
  await pending.commit()
})
afterAll(async () => {
  if (store) await s3.clear(store.prefix)
  await s3?.stop()
  await rm(tempDir, { recursive: true, force: true })
})

describe('presign', () => {
  it('gives a URL that serves the whole file with its content type', async () => {
    const url = await store.presign(KEY, { expiresInSec: 60 })
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('video/mp4')
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('serves ranges from the presigned URL', async () => {
    const url = await store.presign(KEY, { expiresInSec: 60 })
    const response = await fetch(url, { headers: { range: 'bytes=10-19' } })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
  })

  it('makes a download named by downloadName: RFC 6266 with an RFC 8187 filename*', async () => {
    const url = await store.presign(KEY, { expiresInSec: 60, downloadName: 'café "final".mp4' })
    expect(url).toContain('response-content-disposition=')
    const response = await fetch(url)
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="cafe _final_.mp4"; filename*=UTF-8''caf%C3%A9%20%22final%22.mp4`,
    )
    await response.arrayBuffer()
  })

  it('carries the exact contentDisposition and contentType it is given', async () => {
    const disposition = `attachment; filename="Intro_master_1.mp4"; filename*=UTF-8''Intro_master_1.mp4`
    const url = await store.presign(KEY, {
      expiresInSec: 60,
      contentDisposition: disposition,
      downloadName: 'ignored.mp4',
      contentType: 'application/octet-stream',
    })
    const response = await fetch(url)
    expect(response.headers.get('content-disposition')).toBe(disposition)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    await response.arrayBuffer()
  })

  it('refuses a bad key, a bad lifetime and a header with a line break (VALIDATION)', async () => {
    await expect(store.presign('../x.mp4', { expiresInSec: 60 })).rejects.toMatchObject({
      code: 'VALIDATION',
    })
    for (const expiresInSec of [0, -1, 1.5, 604_801, Number.NaN]) {
      await expect(store.presign(KEY, { expiresInSec })).rejects.toMatchObject({ code: 'VALIDATION' })
    }
    await expect(
      store.presign(KEY, { expiresInSec: 60, contentDisposition: 'attachment\r\nSet-Cookie: a=b' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
  })
})

describe('attachmentDisposition', () => {
  it.each([
    ['plain.mp4', `attachment; filename="plain.mp4"; filename*=UTF-8''plain.mp4`],
    [
      'café "final".mp4',
      `attachment; filename="cafe _final_.mp4"; filename*=UTF-8''caf%C3%A9%20%22final%22.mp4`,
    ],
    ['a/b\\c\r\nd.mp4', `attachment; filename="a_b_c d.mp4"; filename*=UTF-8''a_b_c%20d.mp4`],
    [
      'видео 100%.mp4',
      `attachment; filename="_ 100_.mp4"; filename*=UTF-8''%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE%20100%25.mp4`,
    ],
    ['', `attachment; filename="download"; filename*=UTF-8''download`],
  ])('%j', (name, expected) => {
    const value = attachmentDisposition(name)
    expect(value).toBe(expected)
    expect(value).not.toMatch(/[\r\n\u0000]/)
  })
})
