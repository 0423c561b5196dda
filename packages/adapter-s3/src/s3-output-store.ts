import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { ByteRange, OutputStore, PendingFile, StoredFile } from '@mastervideo/core'
import { CanceledError } from '@mastervideo/core'
import { abortError, TEMP_PREFIX } from '@mastervideo/core/adapter'
import {
  invalid,
  isInvalidRange,
  isMissingBucket,
  isMissingKey,
  notFound,
  ORIGIN,
  storage,
  storageError,
} from './errors.js'
import { isExactly, servedRange, sliceToRange, trimToRange } from './range-body.js'
import { checkOutputKey, contentTypeOf, isOutputKey, joinKey, normalizePrefix } from './s3-keys.js'
import { type PresignOptions, presignGet } from './s3-presign.js'
import { DEFAULT_PART_SIZE, DEFAULT_QUEUE_SIZE, uploadFile } from './s3-upload.js'

/** S3's minimum size of every part but the last. */
const MIN_PART_SIZE = 5 * 1024 * 1024

/** Options of {@link s3OutputStore}. */
export interface S3OutputStoreOptions {
  /** The host's own client (region, endpoint, credentials are its business). */
  client: S3Client
  bucket: string
  /** Prepended to every key: `'videos'` stores `master_1_x_1.mp4` as `videos/master_1_x_1.mp4`. */
  prefix?: string
  /** Bytes per part of a multipart upload: at least 5 MiB (S3's minimum). Default 5 MiB. */
  partSizeBytes?: number
  /** Parts uploaded at once. Memory held by a commit is about `partSizeBytes x (queueSize + 1)`. Default 4. */
  queueSize?: number
  /**
   * Where `prepare` puts the local file the transcoder writes. Default
   * `<os.tmpdir()>/mastervideo-s3`. Temporary files there older than a day
   * (left by a process that died mid-job) are removed at the store's first `prepare`.
   */
  tempDir?: string
  /**
   * Aborts every commit in flight (a host shutting down): each aborts its
   * multipart upload and rejects with `CANCELED` (or the abort reason's code).
   */
  signal?: AbortSignal
  /**
   * The client `presign` signs with, when browsers reach the bucket through
   * another endpoint than the workers do (a public hostname in front of MinIO).
   * Default: `client`.
   */
  presignClient?: S3Client
}

/**
 * An {@link OutputStore} whose files are objects in an S3 bucket, plus
 * {@link S3OutputStore.presign} for delivery straight from S3 or a CDN.
 */
export interface S3OutputStore extends OutputStore {
  /** The bucket, and the canonical prefix (`''` or ending in `/`). */
  readonly bucket: string
  readonly prefix: string
  /** The object key that holds the file under `key` (prefix included). */
  objectKey(key: string): string
  /** Reads an inclusive byte range into memory with one ranged GetObject. */
  read(key: string, range: ByteRange): Promise<Buffer>
  /**
   * A presigned GET URL of the file under `key`, valid for `expiresInSec`.
   * With `contentDisposition` (or `downloadName`) the response carries that
   * `Content-Disposition`, so the URL downloads the file under its name.
   * Signing is local: it neither checks that the object exists nor contacts S3.
   *
   * @example
   * ```ts
   * import { S3Client } from '@aws-sdk/client-s3'
   * import { s3OutputStore } from '@mastervideo/adapter-s3'
   *
   * const store = s3OutputStore({ client: new S3Client({}), bucket: 'videos' })
   * const url = await store.presign('master_1_abcdefgh_1.mp4', {
   *   expiresInSec: 300,
   *   downloadName: 'Intro_master_1_abcdefgh.mp4',
   *   contentType: 'video/mp4',
   * })
   * ```
   */
  presign(key: string, options: PresignOptions): Promise<string>
}

function toStoredFile(key: string, head: HeadObjectCommandOutput): StoredFile {
  return { key, size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0 }
}

/** A local file no commit can still be using: a process that wrote it died. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000

/** Removes the temporary files crashed processes left in `dir` (once per store, best effort). */
async function sweepStaleTemps(dir: string): Promise<void> {
  const now = Date.now()
  const names = await readdir(dir).catch(() => [])
  for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
    const file = path.join(dir, name)
    const info = await stat(file).catch(() => null)
    if (info?.isFile() && now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true }).catch(() => {})
  }
}

function positiveInteger(value: number | undefined, fallback: number, field: string, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min) {
    throw invalid(`${field} must be a whole number of at least ${min}`, { details: { field } })
  }
  return value
}

/**
 * An {@link OutputStore} on S3 (or any S3-compatible store: MinIO, R2, ...):
 * the transcoder writes to a local temporary file; `commit` uploads it (a
 * multipart upload past one part), checks the stored size, then removes the
 * local file. An object is invisible until its upload completes, so a reader
 * sees the whole file or nothing; a failed, discarded or aborted commit aborts
 * its multipart upload and leaves no parts behind. `stat` is a HeadObject,
 * `createReadStream` and `read` a (ranged) GetObject, `delete` a DeleteObject.
 * Keys are plain file names, as for `localOutputStore`.
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3'
 * import { s3OutputStore } from '@mastervideo/adapter-s3'
 *
 * const output = s3OutputStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'my-videos', prefix: 'master-videos' })
 * console.log(await output.stat('master_1_abcdefgh_1.mp4')) // null until written
 * ```
 */
export function s3OutputStore(options: S3OutputStoreOptions): S3OutputStore {
  const { client, bucket, signal: storeSignal } = options
  if (typeof bucket !== 'string' || bucket === '') {
    throw invalid('bucket must be a non-empty string', { details: { field: 'bucket' } })
  }
  const prefix = normalizePrefix(options.prefix)
  const partSizeBytes = positiveInteger(
    options.partSizeBytes,
    DEFAULT_PART_SIZE,
    'partSizeBytes',
    MIN_PART_SIZE,
  )
  const queueSize = positiveInteger(options.queueSize, DEFAULT_QUEUE_SIZE, 'queueSize', 1)
  const tempDir = path.resolve(options.tempDir ?? path.join(tmpdir(), 'mastervideo-s3'))
  const presignClient = options.presignClient ?? client
  const objectKey = (key: string) => joinKey(prefix, checkOutputKey(key))
  let tempReady: Promise<void> | null = null

  async function head(key: string): Promise<HeadObjectCommandOutput | null> {
    try {
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }))
    } catch (error) {
      if (isMissingKey(error)) return null
      throw storageError(`Cannot read ${key}`, error, { key })
    }
  }

  async function get(key: string, range: ByteRange | undefined) {
    const Key = objectKey(key)
    try {
      return await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      )
    } catch (error) {
      if (isMissingKey(error)) throw notFound(`No output file ${key}`, { cause: error, details: { key } })
      // A range starting at or past the end: no bytes, as a file stream gives.
      if (range && isInvalidRange(error)) return null
      throw storageError(`Cannot read ${key}`, error, { key })
    }
  }

  return {
    bucket,
    prefix,
    objectKey,

    async prepare(key) {
      const Key = objectKey(key)
      tempReady ??= mkdir(tempDir, { recursive: true }).then(() => sweepStaleTemps(tempDir))
      try {
        await tempReady
      } catch (error) {
        tempReady = null
        throw storageError('Cannot create the temporary directory for uploads', error)
      }
      const temp = path.join(tempDir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}-${key}`)
      const controller = new AbortController()
      let committing: Promise<StoredFile> | null = null

      async function commit(): Promise<StoredFile> {
        let size: number
        try {
          size = (await stat(temp)).size
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            throw storage(`Nothing was written to ${key} before commit`, { cause: error, details: { key } })
          }
          throw storageError(`Cannot commit ${key}`, error, { key })
        }
        const onStoreAbort = () =>
          controller.abort(abortError(storeSignal as AbortSignal, { origin: ORIGIN }))
        if (storeSignal?.aborted) onStoreAbort()
        storeSignal?.addEventListener('abort', onStoreAbort, { once: true })
        try {
          await uploadFile({
            client,
            bucket,
            key: Key,
            file: temp,
            size,
            contentType: contentTypeOf(key),
            partSizeBytes,
            queueSize,
            signal: controller.signal,
          })
        } catch (error) {
          if (controller.signal.aborted) throw controller.signal.reason
          throw storageError(`Cannot upload ${key}`, error, { key })
        } finally {
          storeSignal?.removeEventListener('abort', onStoreAbort)
        }
        // The upload is complete: the local copy goes while the size is checked
        // (unlinking 200 MB takes tens of milliseconds, as long as the HEAD).
        const [stored] = await Promise.all([head(key), rm(temp, { force: true })])
        if (stored?.ContentLength !== size) {
          // Visible but not what was written: take it back rather than serve it.
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => {})
          throw storage(`${key} was stored with ${stored?.ContentLength ?? 'no'} bytes instead of ${size}`, {
            retryable: true,
            details: { key, expected: size, stored: stored?.ContentLength ?? null },
          })
        }
        return toStoredFile(key, stored)
      }

      const pending: PendingFile = {
        path: temp,
        commit() {
          committing ??= commit()
          return committing
        },
        async discard() {
          // A commit still uploading is aborted; its multipart upload is gone
          // before discard resolves. A finished commit is left as it is.
          controller.abort(new CanceledError(`The upload of ${key} was discarded`, { origin: ORIGIN }))
          await committing?.catch(() => {})
          await rm(temp, { force: true })
        },
      }
      return pending
    },

    async stat(key) {
      const found = await head(key)
      return found ? toStoredFile(key, found) : null
    },

    async createReadStream(key, range) {
      const response = await get(key, range)
      if (!response) return Readable.from([])
      const body = response.Body
      if (!(body instanceof Readable)) {
        throw storage(`Cannot read ${key}: the S3 client did not return a Node.js stream`, {
          details: { key },
        })
      }
      if (!range) return body
      const served = servedRange(response.ContentRange, response.ContentLength)
      if (isExactly(served, range)) return body
      if (served === null) {
        body.destroy()
        return Readable.from([])
      }
      try {
        return trimToRange(body, served, range)
      } catch (error) {
        body.destroy()
        throw storageError(`Cannot read ${key}`, error, { key })
      }
    },

    async read(key, range) {
      const response = await get(key, range)
      if (!response?.Body) return Buffer.alloc(0)
      try {
        const array = await response.Body.transformToByteArray()
        const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength)
        const served = servedRange(response.ContentRange, response.ContentLength)
        if (served === null) return Buffer.alloc(0)
        return isExactly(served, range) ? bytes : sliceToRange(bytes, served, range)
      } catch (error) {
        throw storageError(`Cannot read ${key}`, error, { key })
      }
    },

    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }))
      } catch (error) {
        if (isMissingKey(error)) return
        throw storageError(`Cannot delete ${key}`, error, { key })
      }
    },

    async list(olderThanMs) {
      const cutoff = Date.now() - olderThanMs
      const files: StoredFile[] = []
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
          for (const object of page.Contents ?? []) {
            const key = object.Key?.slice(prefix.length) ?? ''
            // Only plain keys this store could have written: nothing under a deeper "folder".
            if (!isOutputKey(key)) continue
            const mtimeMs = object.LastModified?.getTime() ?? 0
            if (mtimeMs < cutoff) files.push({ key, size: object.Size ?? 0, mtimeMs })
          }
        }
      } catch (error) {
        if (isMissingBucket(error)) return []
        throw storageError('Cannot list the stored files', error, {})
      }
      return files
    },

    async presign(key, presignOptions) {
      return presignGet(presignClient, bucket, objectKey(key), {
        contentType: contentTypeOf(key),
        ...presignOptions,
      })
    },
  }
}
