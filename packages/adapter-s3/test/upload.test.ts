// Commits past one part: a multipart upload that appears whole or not at all,
// and leaves no parts behind when it fails, is discarded or is aborted.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { TimeoutError } from '@mastervideo/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type S3OutputStore, s3OutputStore } from '../src/index.js'
import { afterCommand, beforeCommand, gate, refused } from './inject.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

const MiB = 1024 * 1024
const KEY = 'master_1_abcdefgh_1700000000000.mp4'
const SIZE = 12 * MiB + 12_345 // three parts of 5 MiB, the last one short

let s3: S3Fixture
let tempDir: string
const clients: S3Client[] = []
const prefixes: string[] = []
beforeAll(async () => {
  s3 = await startS3()
  tempDir = await mkdtemp(path.join(tmpdir(), 'mv-s3-upload-'))
})
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await s3.clear(prefix)
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(async () => {
  await s3?.stop()
  await rm(tempDir, { recursive: true, force: true })
})

function newStore(options: { signal?: AbortSignal } = {}): { store: S3OutputStore; client: S3Client } {
  const client = s3.newClient()
  clients.push(client)
  const prefix = s3.uniquePrefix()
  prefixes.push(prefix)
  return { store: s3OutputStore({ client, bucket: s3.bucket, prefix, tempDir, ...options }), client }
}

async function readAll(store: S3OutputStore, key: string, range?: { start: number; end: number }) {
  const chunks: Buffer[] = []
  for await (const chunk of await store.createReadStream(key, range)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Asserts that nothing of the commit survived: no object, no open upload, no part. */
async function expectNothingLeft(store: S3OutputStore) {
  expect(await store.stat(KEY)).toBeNull()
  expect(await s3.openUploads(store.prefix)).toEqual([])
  expect(await s3.keys(store.prefix)).toEqual([])
}

describe(`multipart commit (${s3Label()})`, () => {
  it('shows nothing while the parts upload, then the whole file, and removes the local file', async () => {
    const { store, client } = newStore()
    const bytes = randomBytes(SIZE)
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, bytes)
    const held = gate()
    const reached = gate()
    beforeCommand(client, 'UploadPartCommand', async (input) => {
      if (input.PartNumber === 2) {
        reached.open()
        await held.promise
      }
    })
    const committing = pending.commit()
    await reached.promise
    // Parts are on the server, the object is not.
    expect(await store.stat(KEY)).toBeNull()
    await expect(store.createReadStream(KEY)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    held.open()
    expect(await committing).toMatchObject({ key: KEY, size: SIZE })
    expect(existsSync(pending.path)).toBe(false)
    expect((await readAll(store, KEY)).equals(bytes)).toBe(true)
    // Ranges across the part boundaries.
    for (const range of [
      { start: 5 * MiB - 10, end: 5 * MiB + 10 },
      { start: 0, end: 0 },
      { start: SIZE - 1, end: SIZE - 1 },
      { start: 3, end: 10 * MiB + 7 },
    ]) {
      const expected = bytes.subarray(range.start, range.end + 1)
      expect((await readAll(store, KEY, range)).equals(expected)).toBe(true)
      expect((await store.read(KEY, range)).equals(expected)).toBe(true)
    }
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: store.objectKey(KEY) }))
    expect(head.ContentType).toBe('video/mp4')
    expect(await s3.openUploads(store.prefix)).toEqual([])
  })

  it('aborts the multipart upload when a part fails, leaving no parts', async () => {
    const { store, client } = newStore()
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(SIZE))
    const sent: number[] = []
    beforeCommand(client, 'UploadPartCommand', (input) => {
      sent.push(input.PartNumber as number)
      if (input.PartNumber === 3) throw refused('injected: part 3 refused')
    })
    const error = await pending.commit().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STORAGE', origin: '@mastervideo/adapter-s3' })
    expect(sent).toContain(1)
    await expectNothingLeft(store)
    // The local file is the caller's to discard (the worker always does).
    expect(existsSync(pending.path)).toBe(true)
    await pending.discard()
    expect(existsSync(pending.path)).toBe(false)
  })

  it('aborts the multipart upload when the local file ends early (truncated mid-upload)', async () => {
    const { store, client } = newStore()
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(40 * MiB))
    const held = gate()
    const reached = gate()
    beforeCommand(client, 'UploadPartCommand', async (input) => {
      if (input.PartNumber === 1) {
        reached.open()
        await held.promise
      }
    })
    const committing = pending.commit().catch((e: unknown) => e)
    await reached.promise
    await truncate(pending.path, 6 * MiB)
    held.open()
    expect(await committing).toMatchObject({ code: 'STORAGE' })
    await expectNothingLeft(store)
    await pending.discard()
  })

  it('discard during a commit aborts the upload: CANCELED, no parts, no local file', async () => {
    const { store, client } = newStore()
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(SIZE))
    const held = gate()
    const reached = gate()
    beforeCommand(client, 'UploadPartCommand', async (input) => {
      if (input.PartNumber === 1) {
        reached.open()
        await held.promise
      }
    })
    const committing = pending.commit().catch((e: unknown) => e)
    await reached.promise
    const discarding = pending.discard()
    held.open()
    await discarding
    expect(await committing).toMatchObject({ code: 'CANCELED' })
    expect(existsSync(pending.path)).toBe(false)
    await expectNothingLeft(store)
  })

  it("the store's signal aborts a commit in flight, with the abort reason's code", async () => {
    const controller = new AbortController()
    const { store, client } = newStore({ signal: controller.signal })
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(SIZE))
    beforeCommand(client, 'UploadPartCommand', (input) => {
      if (input.PartNumber === 2) controller.abort(new TimeoutError('shutting down'))
    })
    expect(await pending.commit().catch((e: unknown) => e)).toMatchObject({ code: 'TIMEOUT' })
    await expectNothingLeft(store)
    await pending.discard()
    // Later commits of this store are refused at once.
    const next = await store.prepare(KEY)
    await writeFile(next.path, randomBytes(100))
    await expect(next.commit()).rejects.toMatchObject({ code: 'TIMEOUT' })
    await next.discard()
    await expectNothingLeft(store)
  })

  it('takes back an object whose stored size differs from the file, and fails the commit', async () => {
    const { store, client } = newStore()
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(SIZE))
    let lied = false
    afterCommand(client, 'HeadObjectCommand', (output) => {
      if (!lied) output.ContentLength = SIZE - 1
      lied = true
    })
    expect(await pending.commit().catch((e: unknown) => e)).toMatchObject({ code: 'STORAGE' })
    await expectNothingLeft(store)
    await pending.discard()
  })

  it('refuses to commit a file that was never written', async () => {
    const { store } = newStore()
    const pending = await store.prepare(KEY)
    await expect(pending.commit()).rejects.toMatchObject({ code: 'STORAGE' })
    await pending.discard()
    await expectNothingLeft(store)
  })

  it('commits once when commit is called twice', async () => {
    const { store } = newStore()
    const pending = await store.prepare(KEY)
    await writeFile(pending.path, randomBytes(1000))
    const [a, b] = await Promise.all([pending.commit(), pending.commit()])
    expect(a).toEqual(b)
    expect(a.size).toBe(1000)
    await pending.discard()
    expect(await store.stat(KEY)).toMatchObject({ size: 1000 })
  })
})

function s3Label(): string {
  return process.env.MASTERVIDEO_S3_ENDPOINT ? 'external S3' : 's3rver'
}
