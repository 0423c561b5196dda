import type { MasterVideo } from '@mastervideo/core'
import type { SignedKind, UrlSigner } from './signed-url.js'

/** Where a client fetches a job's files; `null` until there is something to fetch. */
export interface MasterVideoUrls {
  video: string | null
  download: string | null
  thumbnail: string | null
}

/**
 * A job as the routes return it: the record without its lease token (internal
 * to workers), dates as ISO strings, plus the URLs of its files.
 */
export type MasterVideoJson = Omit<
  MasterVideo,
  'leaseToken' | 'runAt' | 'leaseExpiresAt' | 'createdAt' | 'updatedAt' | 'startedAt' | 'completedAt'
> & {
  runAt: string
  leaseExpiresAt: string | null
  createdAt: string
  updatedAt: string
  startedAt: string | null
  completedAt: string | null
  urls: MasterVideoUrls
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString())

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
  const { leaseToken: _internal, ...rest } = record
  const url = (kind: SignedKind) => {
    const query = signer?.sign({ kind, projectId: record.projectId, id: record.id })
    return query ? `${jobPath}/${kind}?${query}` : `${jobPath}/${kind}`
  }
  const ready = record.status === 'completed' && record.output !== null
  return {
    ...rest,
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
    },
  }
}
