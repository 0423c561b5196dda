import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { AssetResolver, MasterVideo } from '@mastervideo/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { s3Assets } from '../src/index.js'
import { afterCommand, countCommands } from './inject.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

const job = {} as MasterVideo
const MB = 1_000_000
let s3: S3Fixture
let root: string
const clients: S3Client[] = []
const prefixes: string[] = []

beforeAll(async () => {
  s3 = await startS3()
  root = await mkdtemp(path.join(tmpdir(), 'mv-s3-assets-'))
})
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await s3.clear(prefix)
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(async () => {
  await s3?.stop()
  await rm(root, { recursive: true, force: true })
})

interface Setup {
  assets: AssetResolver
  client: S3Client
  counts: Map<string, number>
  prefix: string
  cacheDir: string
  put(id: string, bytes: Buffer): Promise<void>
}

async function setup(options: { maxCacheBytes?: number; holdMs?: number } = {}): Promise<Setup> {
  const client = s3.newClient()
  clients.push(client)
  const counts = countCommands(client)
  const prefix = s3.uniquePrefix()
  prefixes.push(prefix)
  const cacheDir = path.join(root, prefix)
  const assets = s3Assets({
    client,
    bucket: s3.bucket,
    prefix: `${prefix}clips`,
    cacheDir,
    maxCacheBytes: options.maxCacheBytes ?? 100 * MB,
    ...(options.holdMs === undefined ? {} : { holdMs: options.holdMs }),
  })
  return {
    assets,
    client,
    counts,
    prefix,
    cacheDir,
    put: async (id, bytes) => {
      await s3.client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}clips/${id}`, Body: bytes }),
      )
    },
  }
}

const resolve = (assets: AssetResolver, assetId: string) => assets.resolve({ assetId }, job)
const cached = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((f) => !f.startsWith('.tmp-'))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('s3Assets', () => {
  it('downloads a clip into the cache once and serves later resolves from it', async () => {
    const { assets, put, counts, cacheDir } = await setup()
    const bytes = randomBytes(MB)
    await put('a/intro.mp4', bytes)
    const file = await resolve(assets, 'a/intro.mp4')
    expect(path.dirname(file)).toBe(path.resolve(cacheDir))
    expect(file.endsWith('.mp4')).toBe(true)
    expect((await readFile(file)).equals(bytes)).toBe(true)
    expect(await resolve(assets, 'a/intro.mp4')).toBe(file)
    expect(counts.get('GetObjectCommand')).toBe(1)
    expect(await readdir(cacheDir)).toEqual([path.basename(file)])
  })

  it('shares one download between concurrent resolves of the same clip', async () => {
    const { assets, put, counts } = await setup()
    const bytes = randomBytes(3 * MB)
    await put('shared.mp4', bytes)
    const files = await Promise.all([1, 2, 3, 4].map(() => resolve(assets, 'shared.mp4')))
    expect(new Set(files).size).toBe(1)
    expect(counts.get('GetObjectCommand')).toBe(1)
    expect((await readFile(files[0] as string)).equals(bytes)).toBe(true)
  })

  it('fetches the new version when the object changes (a new ETag)', async () => {
    const { assets, put } = await setup()
    await put('v.mp4', Buffer.from('version one'))
    const first = await resolve(assets, 'v.mp4')
    await put('v.mp4', Buffer.from('version two!'))
    const second = await resolve(assets, 'v.mp4')
    expect(second).not.toBe(first)
    expect(await readFile(second, 'utf8')).toBe('version two!')
  })

  it('accepts a multipart object (its ETag is not an MD5) by its size', async () => {
    const { assets, prefix } = await setup()
    const bytes = randomBytes(11 * 1024 * 1024)
    await new Upload({
      client: s3.client,
      params: { Bucket: s3.bucket, Key: `${prefix}clips/big.mp4`, Body: bytes },
    }).done()
    expect((await readFile(await resolve(assets, 'big.mp4'))).equals(bytes)).toBe(true)
  })

  it('is ASSET_NOT_FOUND for a missing object', async () => {
    const { assets } = await setup()
    await expect(resolve(assets, 'nope.mp4')).rejects.toMatchObject({
      code: 'ASSET_NOT_FOUND',
      message: 'Asset "nope.mp4" does not exist',
      origin: '@mastervideo/adapter-s3',
    })
  })

  it.each([
    ['a parent reference', '../outside.mp4'],
    ['a parent reference inside', 'a/../../outside.mp4'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows drive', 'C:/x.mp4'],
    ['a backslash', 'a\\..\\b.mp4'],
    ['a NUL', 'a\u0000.mp4'],
    ['a control character', 'a\n.mp4'],
    ['an empty id', ''],
    ['an empty segment', 'a//b.mp4'],
    ['a dot segment', './a.mp4'],
    ['a trailing slash', 'a/'],
  ])('refuses an id with %s before any request (ASSET_NOT_FOUND)', async (_, assetId) => {
    const { assets, counts } = await setup()
    await expect(resolve(assets, assetId)).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' })
    expect(counts.size).toBe(0)
  })

  it('cannot reach an object outside its prefix', async () => {
    const { assets, prefix } = await setup()
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}secret.mp4`, Body: 'x' }))
    await expect(resolve(assets, '../secret.mp4')).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' })
  })

  it('refuses a download whose size does not match, keeping nothing', async () => {
    const { assets, put, client, cacheDir } = await setup()
    const bytes = randomBytes(MB)
    await put('short.mp4', bytes)
    let damage = true
    afterCommand(client, 'GetObjectCommand', (output) => {
      if (!damage) return
      damage = false
      output.Body = Readable.from([bytes.subarray(0, MB - 10)])
    })
    await expect(resolve(assets, 'short.mp4')).rejects.toMatchObject({ code: 'STORAGE', retryable: true })
    expect(await readdir(cacheDir)).toEqual([])
    expect((await readFile(await resolve(assets, 'short.mp4'))).equals(bytes)).toBe(true)
  })

  it('refuses a download whose bytes do not match the MD5 ETag', async () => {
    const { assets, put, client, cacheDir } = await setup()
    const bytes = randomBytes(MB)
    await put('flipped.mp4', bytes)
    const flipped = Buffer.from(bytes)
    flipped[1234] = (flipped[1234] as number) ^ 0xff
    afterCommand(client, 'GetObjectCommand', (output) => {
      output.Body = Readable.from([flipped])
    })
    const error = await resolve(assets, 'flipped.mp4').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STORAGE' })
    expect((error as { details: { md5: string } }).details.md5).toBe(
      createHash('md5').update(flipped).digest('hex'),
    )
    expect(await readdir(cacheDir)).toEqual([])
  })

  it('downloads again when the cached file was damaged on disk (wrong size)', async () => {
    const { assets, put, counts } = await setup()
    const bytes = randomBytes(MB)
    await put('c.mp4', bytes)
    const file = await resolve(assets, 'c.mp4')
    await truncate(file, 10)
    expect((await readFile(await resolve(assets, 'c.mp4'))).equals(bytes)).toBe(true)
    expect(counts.get('GetObjectCommand')).toBe(2)
  })

  it('evicts the least recently used clips past maxCacheBytes', async () => {
    const { assets, put, cacheDir } = await setup({ maxCacheBytes: 2.5 * MB, holdMs: 0 })
    for (const name of ['a', 'b', 'c', 'd']) await put(`${name}.mp4`, randomBytes(MB))
    const a = await resolve(assets, 'a.mp4')
    await sleep(20)
    const b = await resolve(assets, 'b.mp4')
    await sleep(20)
    expect(await resolve(assets, 'a.mp4')).toBe(a) // a is now more recent than b
    await sleep(20)
    const c = await resolve(assets, 'c.mp4')
    expect((await cached(cacheDir)).sort()).toEqual([a, c].map((f) => path.basename(f)).sort())
    await sleep(20)
    const d = await resolve(assets, 'd.mp4')
    expect((await cached(cacheDir)).sort()).toEqual([c, d].map((f) => path.basename(f)).sort())
    expect(b).not.toBe(a)
  })

  it('keeps clips used within holdMs even over budget', async () => {
    const { assets, put, cacheDir } = await setup({ maxCacheBytes: MB, holdMs: 60_000 })
    for (const name of ['a', 'b', 'c']) {
      await put(`${name}.mp4`, randomBytes(MB))
      await resolve(assets, `${name}.mp4`)
    }
    expect(await cached(cacheDir)).toHaveLength(3)
  })
})
