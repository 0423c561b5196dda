import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { AssetResolver } from '@mastervideo/core'
import { AssetCache } from './asset-cache.js'
import { assetNotFound, httpStatus, invalid, isMissingKey, storage, storageError } from './errors.js'
import { joinKey, normalizePrefix, refuseObjectPath } from './s3-keys.js'

/** Options of {@link s3Assets}. */
export interface S3AssetsOptions {
  /** The host's own client. */
  client: S3Client
  bucket: string
  /** Prepended to every asset id: with `'clips'`, the shot `'a/intro.mp4'` is the object `clips/a/intro.mp4`. */
  prefix?: string
  /** Where downloaded clips are kept; several processes may share it. */
  cacheDir: string
  /**
   * The cache's size budget in bytes, enforced after each download by
   * removing the least recently used clips (see `holdMs`).
   */
  maxCacheBytes: number
  /**
   * Clips used within this many milliseconds are never evicted, even over
   * budget: a job may still be reading them. Default 15 minutes.
   */
  holdMs?: number
}

const DEFAULT_HOLD_MS = 15 * 60 * 1000

/** A single-part upload's ETag is the MD5 of the bytes; a multipart one has a `-<parts>` suffix. */
const MD5_ETAG = /^"?([0-9a-f]{32})"?$/

/**
 * Whether S3 promises that this ETag is the MD5 of the object's bytes: an
 * object sent in one PUT, unencrypted or SSE-S3. Not for a multipart upload,
 * SSE-KMS or SSE-C.
 */
function md5OfEtag(head: HeadObjectCommandOutput | GetObjectCommandOutput): string | null {
  const match = MD5_ETAG.exec(head.ETag ?? '')
  if (!match) return null
  if (head.SSECustomerAlgorithm) return null
  if (head.ServerSideEncryption && head.ServerSideEncryption !== 'AES256') return null
  return match[1] ?? null
}

/** The cache file of one version of one object: names from hashes, never from the client's id. */
function cacheName(bucket: string, key: string, etag: string): string {
  const id = createHash('sha256').update(`${bucket}\u0000${key}`).digest('hex').slice(0, 40)
  const version = createHash('sha256').update(etag).digest('hex').slice(0, 16)
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(key)?.[0] ?? ''
  return `${id}-${version}${ext}`
}

/**
 * An {@link AssetResolver} whose shots name objects in an S3 bucket: each
 * clip is downloaded once into a local cache (to a temporary name, then
 * renamed), checked against the object's size and, when S3 promises the
 * ETag is an MD5 (a single-part, unencrypted or SSE-S3 object), against its
 * MD5; and reused while the object's ETag is unchanged. Jobs that name the
 * same clip at the same time share one download. The cache is trimmed to
 * `maxCacheBytes`, least recently used first.
 *
 * A missing object is `ASSET_NOT_FOUND`; so is an id that tries to leave the
 * prefix (`..`, an absolute path, a backslash, a NUL or control character,
 * an empty segment), refused before any request.
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3'
 * import { s3Assets } from '@mastervideo/adapter-s3'
 *
 * const assets = s3Assets({
 *   client: new S3Client({ region: 'eu-west-1' }),
 *   bucket: 'my-clips',
 *   prefix: 'uploads',
 *   cacheDir: '/var/cache/mastervideo',
 *   maxCacheBytes: 20 * 1024 ** 3,
 * })
 * // await assets.resolve({ assetId: 'p1/intro.mp4' }, job) -> '/var/cache/mastervideo/3f…-9a….mp4'
 * ```
 */
export function s3Assets(options: S3AssetsOptions): AssetResolver {
  const { client, bucket } = options
  if (typeof bucket !== 'string' || bucket === '') {
    throw invalid('bucket must be a non-empty string', { details: { field: 'bucket' } })
  }
  if (typeof options.cacheDir !== 'string' || options.cacheDir === '') {
    throw invalid('cacheDir must be a directory path', { details: { field: 'cacheDir' } })
  }
  if (!Number.isFinite(options.maxCacheBytes) || options.maxCacheBytes < 0) {
    throw invalid('maxCacheBytes must be a number of bytes', { details: { field: 'maxCacheBytes' } })
  }
  const prefix = normalizePrefix(options.prefix)
  const cache = new AssetCache({
    directory: options.cacheDir,
    maxBytes: options.maxCacheBytes,
    holdMs: options.holdMs ?? DEFAULT_HOLD_MS,
  })
  /** Downloads in flight, by cache file name: the same clip is fetched once. */
  const downloads = new Map<string, Promise<string>>()

  async function download(assetId: string, key: string, head: HeadObjectCommandOutput, name: string) {
    const size = head.ContentLength ?? 0
    const temp = cache.tempPath(name, randomBytes(6).toString('hex'))
    try {
      let response: GetObjectCommandOutput
      try {
        // If-Match: an object replaced since the HEAD fails (412) instead of
        // mixing a new body with the old version's checks.
        response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(head.ETag ? { IfMatch: head.ETag } : {}) }),
        )
      } catch (error) {
        if (isMissingKey(error)) throw missing(assetId, error)
        const changed = httpStatus(error) === 412
        throw storageError(
          changed
            ? `Asset ${JSON.stringify(assetId)} changed while it was fetched`
            : `Cannot fetch asset ${JSON.stringify(assetId)}`,
          error,
          {
            assetId,
          },
        )
      }
      if (!(response.Body instanceof Readable)) {
        throw storage(
          `Cannot fetch asset ${JSON.stringify(assetId)}: the S3 client did not return a Node.js stream`,
        )
      }
      const md5 = createHash('md5')
      let received = 0
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length
          md5.update(chunk)
          callback(null, chunk)
        },
      })
      try {
        await pipeline(response.Body, tap, createWriteStream(temp, { flags: 'wx' }))
      } catch (error) {
        throw storageError(`Cannot fetch asset ${JSON.stringify(assetId)}`, error, { assetId })
      }
      const expectedMd5 = md5OfEtag(head)
      const actualMd5 = md5.digest('hex')
      if (received !== size || (expectedMd5 !== null && actualMd5 !== expectedMd5)) {
        throw storage(
          `Asset ${JSON.stringify(assetId)} arrived damaged (its size or checksum does not match)`,
          {
            retryable: true,
            details: {
              assetId,
              expectedSize: size,
              receivedSize: received,
              etag: head.ETag ?? null,
              md5: actualMd5,
            },
          },
        )
      }
      const file = path.join(cache.directory, name)
      await rename(temp, file)
      // The new file is inside the hold window: trimming never removes it.
      await cache.trim()
      return file
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
  }

  function missing(assetId: string, cause: unknown) {
    return assetNotFound(`Asset ${JSON.stringify(assetId)} does not exist`, { cause, details: { assetId } })
  }

  return {
    async resolve(shot) {
      const assetId: unknown = shot.assetId
      const why = refuseObjectPath(assetId)
      if (why) {
        throw assetNotFound(`Asset ${JSON.stringify(String(assetId))} ${why}`, { details: { assetId } })
      }
      const id = assetId as string
      let key: string
      try {
        key = joinKey(prefix, id)
      } catch (error) {
        throw assetNotFound(`Asset ${JSON.stringify(id)} is too long`, { cause: error, details: { assetId } })
      }
      let head: HeadObjectCommandOutput
      try {
        head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      } catch (error) {
        if (isMissingKey(error)) throw missing(id, error)
        throw storageError(`Cannot look up asset ${JSON.stringify(id)}`, error, { assetId })
      }
      const name = cacheName(
        bucket,
        key,
        head.ETag ?? `${head.ContentLength}:${head.LastModified?.getTime()}`,
      )
      await cache.ready().catch((error) => {
        throw storageError('Cannot create the asset cache directory', error)
      })
      const cached = await cache.hit(name, head.ContentLength ?? 0)
      if (cached) return cached
      let pending = downloads.get(name)
      if (!pending) {
        pending = download(id, key, head, name).finally(() => downloads.delete(name))
        downloads.set(name, pending)
      }
      return pending
    },
  }
}
