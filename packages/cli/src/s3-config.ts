import path from 'node:path'
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { s3Assets } from '@mastervideo/adapter-s3'
import type { AssetResolver } from '@mastervideo/core'
import { assetNotFound, invalidSetting } from './errors.js'
import { isSafeName } from './server/projects-api.js'

/**
 * Where the standalone server and the worker keep files when they share no
 * disk: an S3 bucket (or MinIO, R2, ...), read from the environment.
 */
export interface S3Settings {
  /** `MASTERVIDEO_S3_BUCKET`: setting it is what turns S3 on. */
  bucket: string
  /** `MASTERVIDEO_S3_ENDPOINT`: a non-AWS server (`http://minio:9000`). Default: AWS. */
  endpoint?: string
  /** `MASTERVIDEO_S3_REGION`. Default: the AWS chain (`AWS_REGION`, `~/.aws/config`), or `us-east-1` with an endpoint. */
  region?: string
  /** `MASTERVIDEO_S3_PREFIX`: where outputs go in the bucket. Default `master-videos`. */
  prefix: string
  /**
   * `MASTERVIDEO_S3_ASSETS_PREFIX`: when set, workers read clips from the
   * bucket (`<prefix>/<projectId>/<assetId>`) instead of the local assets folder.
   */
  assetsPrefix?: string
  /** `MASTERVIDEO_S3_FORCE_PATH_STYLE` (`1`/`0`): `bucket` in the path, as MinIO and s3rver need. Default: on with an endpoint. */
  forcePathStyle: boolean
}

/** Where `/video` and `/download` bytes come from: `MASTERVIDEO_DELIVERY`. */
export type DeliverySetting = 'proxy' | 'redirect'

const flag = (value: string | undefined, fallback: boolean) =>
  value === undefined || value === '' ? fallback : !['0', 'false', 'no', 'off'].includes(value.toLowerCase())

/**
 * The S3 settings in `env`, or `null` when `MASTERVIDEO_S3_BUCKET` is unset
 * (files stay in the data folder). Credentials are not settings: the S3
 * client takes them from the standard AWS chain (environment, profile, SSO,
 * instance or task role).
 *
 * @example
 * ```ts
 * const s3 = s3Settings({ MASTERVIDEO_S3_BUCKET: 'media', MASTERVIDEO_S3_ENDPOINT: 'http://127.0.0.1:9000' })
 * // { bucket: 'media', endpoint: 'http://127.0.0.1:9000', prefix: 'master-videos', forcePathStyle: true }
 * ```
 */
export function s3Settings(env: NodeJS.ProcessEnv = process.env): S3Settings | null {
  const bucket = env.MASTERVIDEO_S3_BUCKET?.trim()
  if (!bucket) return null
  const endpoint = env.MASTERVIDEO_S3_ENDPOINT?.trim() || undefined
  if (endpoint && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw invalidSetting('MASTERVIDEO_S3_ENDPOINT must be an http:// or https:// URL', {
      details: { field: 'MASTERVIDEO_S3_ENDPOINT' },
    })
  }
  const region = env.MASTERVIDEO_S3_REGION?.trim() || undefined
  const assetsPrefix = env.MASTERVIDEO_S3_ASSETS_PREFIX?.trim()
  return {
    bucket,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    prefix: env.MASTERVIDEO_S3_PREFIX?.trim() ?? 'master-videos',
    ...(assetsPrefix !== undefined ? { assetsPrefix } : {}),
    forcePathStyle: flag(env.MASTERVIDEO_S3_FORCE_PATH_STYLE, endpoint !== undefined),
  }
}

/**
 * `MASTERVIDEO_DELIVERY`: `proxy` (default) or `redirect` (a 302 to a
 * presigned URL; only an S3 store can presign, the local folder is proxied).
 *
 * @example
 * ```ts
 * deliverySetting({ MASTERVIDEO_DELIVERY: 'redirect' }) // 'redirect'
 * ```
 */
export function deliverySetting(env: NodeJS.ProcessEnv = process.env): DeliverySetting {
  const value = env.MASTERVIDEO_DELIVERY?.trim().toLowerCase() || 'proxy'
  if (value === 'proxy' || value === 'redirect') return value
  throw invalidSetting(`MASTERVIDEO_DELIVERY must be proxy or redirect, not ${JSON.stringify(value)}`, {
    details: { field: 'MASTERVIDEO_DELIVERY' },
  })
}

/**
 * An `S3Client` for `settings`, with credentials from the standard AWS chain.
 *
 * @example
 * ```ts
 * const client = s3Client({ bucket: 'media', prefix: 'master-videos', forcePathStyle: false })
 * ```
 */
export function s3Client(settings: S3Settings): S3Client {
  const region =
    settings.region ??
    // A custom endpoint (MinIO, s3rver) ignores the region but the SDK needs one.
    (settings.endpoint && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION
      ? 'us-east-1'
      : undefined)
  return new S3Client({
    ...(region ? { region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
  })
}

/**
 * Clips from the bucket for the standalone server and workers: the shot
 * `a.mp4` of project `p1` is `<assetsPrefix>/p1/a.mp4`, downloaded into
 * `cacheDir` (at most 10 GB, least recently used first out), so one project
 * can never name another's clips.
 *
 * @example
 * ```ts
 * const assets = s3ProjectAssets(client, settings, 'data/cache')
 * ```
 */
export function s3ProjectAssets(client: S3Client, settings: S3Settings, cacheDir: string): AssetResolver {
  const resolver = s3Assets({
    client,
    bucket: settings.bucket,
    prefix: settings.assetsPrefix ?? '',
    cacheDir: path.join(cacheDir, 's3-assets'),
    maxCacheBytes: 10e9,
  })
  return {
    resolve(shot, job) {
      if (!isSafeName(job.projectId)) {
        throw assetNotFound(`Project ${JSON.stringify(job.projectId)} has no asset folder`, {
          details: { projectId: job.projectId },
        })
      }
      return resolver.resolve({ ...shot, assetId: `${job.projectId}/${shot.assetId}` }, job)
    },
  }
}

/**
 * Proves the bucket is reachable and writable: puts a small probe object
 * under the output prefix and deletes it. Resolves with where it wrote.
 *
 * @example
 * ```ts
 * console.log(await probeBucket(s3Client(settings), settings)) // s3://media/master-videos/ writable
 * ```
 */
export async function probeBucket(client: S3Client, settings: S3Settings): Promise<string> {
  const prefix = settings.prefix.replace(/^\/+|\/+$/g, '')
  const Key = `${prefix ? `${prefix}/` : ''}.doctor-${process.pid}-${Date.now()}`
  const where = `s3://${settings.bucket}/${prefix ? `${prefix}/` : ''}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`
  try {
    await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key, Body: 'ok' }))
    await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key }))
  } catch (error) {
    // The SDK's message alone ("Access Denied") does not say which bucket or server.
    const reason = error instanceof Error ? error.message.split('\n')[0] || error.name : String(error)
    throw new Error(`${where}: ${reason}`, { cause: error })
  }
  return `${where} takes a write and a delete`
}
