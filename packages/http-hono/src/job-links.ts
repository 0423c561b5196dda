import type { MasterVideo } from '@mastervideo/core'
import { type MasterVideoJson, recordJson } from './record-json.js'
import type { UrlSigner } from './signed-url.js'

/** The links of the records one request answers with, all under the same mount path. */
export interface JobLinks {
  /** Where the app is mounted for this request (`/api/projects`; `''` at the root). */
  mountPath: string
  /** A job's URL path: `<mountPath>/<projectId>/master-videos/<id>`. */
  jobPath(record: MasterVideo): string
  /** The record as the routes answer it, its file URLs under {@link JobLinks.jobPath}. */
  json(record: MasterVideo): MasterVideoJson
}

/**
 * The path the routes are mounted under, as a request to the route `pattern`
 * shows it: the request's raw path without the part the pattern matched (one
 * path segment per pattern segment; a `:param` never spans a `/`). The host
 * may mount the routes anywhere, under any number of segments, so this is
 * read from each request rather than configured.
 *
 * @example
 * ```ts
 * mountPathOf('/api/projects/p1/master-videos/m1/retry', '/:projectId/master-videos/:id/retry') // '/api/projects'
 * ```
 */
export function mountPathOf(requestPath: string, pattern: string): string {
  const own = pattern.split('/').filter((segment) => segment !== '').length
  const segments = requestPath.split('/')
  return segments.slice(0, Math.max(1, segments.length - own)).join('/')
}

/**
 * For one route `pattern`, the function that gives each request its
 * {@link JobLinks}; the mount path is worked out once per request, and file
 * URLs are signed when a signer is given.
 *
 * @example
 * ```ts
 * const linksOf = jobLinks('/:projectId/master-videos/:id', null)
 * const { json } = linksOf('http://localhost/api/projects/p1/master-videos/m1')
 * ```
 */
export function jobLinks(pattern: string, signer: UrlSigner | null): (requestUrl: string) => JobLinks {
  return (requestUrl) => {
    // The raw path: percent-escapes stay as the client sent them, so a `%2F`
    // inside an id is still one segment.
    const mountPath = mountPathOf(new URL(requestUrl).pathname, pattern)
    const jobPath = (record: MasterVideo) =>
      `${mountPath}/${encodeURIComponent(record.projectId)}/master-videos/${encodeURIComponent(record.id)}`
    return { mountPath, jobPath, json: (record) => recordJson(record, jobPath(record), signer) }
  }
}
