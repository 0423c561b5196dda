import type { ErrorCode, JobError, MasterVideo } from '@mastervideo/core'
import { withoutPaths } from '@mastervideo/core/adapter'
import { type LadderUrls, ladderUrls } from './ladder-links.js'
import type { SignedKind, UrlSigner } from './signed-url.js'

/**
 * Where a client fetches a job's files; `null` until there is something to
 * fetch. `renditions` (by name) and `hls` (the master playlist) come from {@link LadderUrls}.
 */
export interface MasterVideoUrls extends LadderUrls {
  video: string | null
  download: string | null
  thumbnail: string | null
}

/**
 * A job as the routes return it: the record without its lease token, lease
 * owner and trace context (internal to workers, and the owner names a host), its error as
 * a {@link publicError}, dates as ISO strings, plus the URLs of its files.
 */
export type MasterVideoJson = Omit<
  MasterVideo,
  | 'leaseToken'
  | 'leaseOwner'
  | 'traceContext'
  | 'error'
  | 'runAt'
  | 'leaseExpiresAt'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'completedAt'
> & {
  error: JobError | null
  runAt: string
  leaseExpiresAt: string | null
  createdAt: string
  updatedAt: string
  startedAt: string | null
  completedAt: string | null
  urls: MasterVideoUrls
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString())

// Codes whose stored message mastervideo writes for the person who made the
// job (a clip's base name, the field at fault): kept, with any path cut.
const CLIENT_WORDED: ReadonlySet<string> = new Set<ErrorCode>([
  'NOT_FOUND',
  'ILLEGAL_TRANSITION',
  'VALIDATION',
  'ASSET_NOT_FOUND',
  'INPUT_INVALID',
  'CANCELED',
])

// The rest may carry ffmpeg's stderr, a database host or a server path: one
// plain sentence per code instead.
const PLAIN_MESSAGES: Partial<Record<ErrorCode, string>> = {
  TRANSCODE_FAILED: 'The clips could not be joined',
  TIMEOUT: 'The job took too long',
  NO_SPACE: 'The server ran out of disk space',
  LEASE_LOST: 'The worker running the job lost it',
  LEASE_EXPIRED: 'The job stopped responding on every attempt',
  STORAGE: 'The server could not store the job',
  INTERNAL: 'Internal server error',
}

const MAX_PUBLIC_MESSAGE = 300

/**
 * A job's error as a client may see it: the code, and a message with no
 * server path, stderr or host name. Messages mastervideo words for the
 * client (`VALIDATION`, `INPUT_INVALID`, `ASSET_NOT_FOUND`, ...) keep their
 * first line with paths cut to base names; every other code gets a fixed
 * sentence. The stored error, in full, stays in the logs and the service API.
 *
 * @example
 * ```ts
 * import { publicError } from '@mastervideo/http-hono'
 *
 * publicError({ code: 'TRANSCODE_FAILED', message: 'ffmpeg: /srv/a.mp4: Invalid data' })
 * // { code: 'TRANSCODE_FAILED', message: 'The clips could not be joined' }
 * ```
 */
export function publicError(error: JobError): JobError {
  if (CLIENT_WORDED.has(error.code)) {
    const firstLine = withoutPaths(error.message.split(/\r?\n/, 1)[0] ?? '').trim()
    if (firstLine !== '') return { code: error.code, message: firstLine.slice(0, MAX_PUBLIC_MESSAGE) }
  }
  const plain = PLAIN_MESSAGES[error.code as ErrorCode] ?? 'The job failed'
  return { code: error.code, message: plain }
}

/**
 * The JSON of one record. `jobPath` is the job's URL path
 * (`/api/projects/p1/master-videos/master_...`); file URLs are signed when a
 * signer is given.
 *
 * @example
 * ```ts
 * const json = recordJson(record, '/api/projects/p1/master-videos/' + record.id, null)
 * ```
 */
export function recordJson(record: MasterVideo, jobPath: string, signer: UrlSigner | null): MasterVideoJson {
  const { leaseToken: _token, leaseOwner: _owner, traceContext: _trace, ...rest } = record
  const url = (kind: SignedKind) => {
    const query = signer?.sign({ kind, projectId: record.projectId, id: record.id })
    return query ? `${jobPath}/${kind}?${query}` : `${jobPath}/${kind}`
  }
  const ready = record.status === 'completed' && record.output !== null
  return {
    ...rest,
    error: record.error ? publicError(record.error) : null,
    runAt: record.runAt.toISOString(),
    leaseExpiresAt: iso(record.leaseExpiresAt),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    startedAt: iso(record.startedAt),
    completedAt: iso(record.completedAt),
    urls: {
      video: ready ? url('video') : null,
      download: ready ? url('download') : null,
      thumbnail: ready && record.thumbnailKey ? url('thumbnail') : null,
      ...ladderUrls(record, jobPath, signer),
    },
  }
}
