/**
 * `@mastervideo/adapter-s3`: finished videos and source clips in S3 (or any
 * S3-compatible store), so worker and API machines share no disk.
 * `s3OutputStore()` keeps outputs as objects (multipart upload on commit,
 * ranged reads, presigned URLs for delivery straight from S3 or a CDN);
 * `s3Assets()` fetches the clips shots name into a local cache.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-s3 @aws-sdk/client-s3`
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3'
 * import { createMasterVideos, memoryRepository } from '@mastervideo/core'
 * import type { Transcoder } from '@mastervideo/core'
 * import { s3Assets, s3OutputStore } from '@mastervideo/adapter-s3'
 *
 * declare const transcoder: Transcoder // ffmpegTranscoder() from @mastervideo/adapter-ffmpeg
 * const client = new S3Client({ region: 'eu-west-1' })
 * const mv = createMasterVideos({
 *   repository: memoryRepository(), // postgresRepository() for many machines
 *   transcoder,
 *   assets: s3Assets({ client, bucket: 'my-media', prefix: 'clips', cacheDir: '/var/cache/mv', maxCacheBytes: 10e9 }),
 *   output: s3OutputStore({ client, bucket: 'my-media', prefix: 'master-videos' }),
 * })
 * ```
 *
 * @packageDocumentation
 */

export { type S3AssetsOptions, s3Assets } from './s3-assets.js'
export { type S3OutputStore, type S3OutputStoreOptions, s3OutputStore } from './s3-output-store.js'
export { attachmentDisposition, type PresignOptions } from './s3-presign.js'
