import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'

/** lib-storage's defaults, which S3's 5 MiB minimum part size bounds from below. */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_QUEUE_SIZE = 4

/** What {@link uploadFile} sends where. */
export interface UploadFileOptions {
  client: S3Client
  bucket: string
  /** The full object key (prefix included). */
  key: string
  /** The local file, and its size when the upload starts. */
  file: string
  size: number
  contentType: string
  partSizeBytes: number
  queueSize: number
  /** Aborts the upload: the multipart upload is aborted before the promise rejects. */
  signal: AbortSignal
}

/**
 * Uploads a local file as one object: a single PUT when it fits in one part,
 * a multipart upload otherwise. Either way the object appears whole, at once,
 * when the upload completes, and not before.
 *
 * On any failure, or when `signal` aborts, it rejects only after the
 * multipart upload (if one was started) has been aborted, so no parts are
 * left behind. An abort is delivered by destroying the file stream the parts
 * are cut from: lib-storage then stops feeding parts, waits for the ones in
 * flight, aborts the multipart upload and rejects. (Aborting through
 * lib-storage's own controller rejects at once and aborts the upload later,
 * in the background: a caller could not tell when the parts are gone.)
 */
export async function uploadFile(options: UploadFileOptions): Promise<void> {
  const { client, bucket, key, file, size, signal } = options
  signal.throwIfAborted()
  const params = { Bucket: bucket, Key: key, ContentType: options.contentType }
  if (size <= options.partSizeBytes) {
    // One part: read it whole, so the PUT's length is the bytes really sent
    // (a file that shrank since its stat cannot leave a request waiting).
    const body = await readFile(file, { signal })
    try {
      await client.send(new PutObjectCommand({ ...params, Body: body }), { abortSignal: signal })
    } catch (error) {
      // Aborted after S3 had the whole body: the object may exist. Nothing may
      // appear for an aborted upload, so take it back (best effort).
      if (signal.aborted)
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {})
      throw error
    }
    return
  }
  const body = createReadStream(file)
  const onAbort = () => body.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const upload = new Upload({
      client,
      // The length fixes the number of parts: a file that ends early (or grows)
      // fails the upload instead of completing a different object.
      params: { ...params, Body: body, ContentLength: size },
      partSize: options.partSizeBytes,
      queueSize: options.queueSize,
      leavePartsOnError: false,
    })
    await upload.done()
  } finally {
    signal.removeEventListener('abort', onAbort)
    body.destroy()
  }
}
