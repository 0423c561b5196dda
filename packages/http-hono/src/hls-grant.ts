import type { SignedTarget, UrlSigner } from './signed-url.js'

/**
 * The path segment that signs a job's whole HLS ladder: `<expires>.<signature>`,
 * as in `…/:id/hls/1767225600.Zk3…/master.m3u8`. A player resolves the
 * playlists' relative URIs against the playlist's own URL, so every variant
 * playlist, init segment and media segment it fetches carries the same
 * segment, with no header and no rewritten playlist. The signature covers the
 * project, the job and the expiry (kind `hls`), never one file: it opens
 * only the files the job's record names.
 *
 * @example
 * ```ts
 * const grant = hlsGrant(signer, { projectId: 'p1', id: 'master_1_abcdefgh' })
 * const url = `/api/projects/p1/master-videos/master_1_abcdefgh/hls/${grant}/master.m3u8`
 * ```
 */
export function hlsGrant(
  signer: UrlSigner,
  job: Omit<SignedTarget, 'kind' | 'rendition'>,
  nowMs?: number,
): string {
  const query = new URLSearchParams(signer.sign({ kind: 'hls', projectId: job.projectId, id: job.id }, nowMs))
  return `${query.get('expires')}.${query.get('signature')}`
}

/**
 * The `expires` and `signature` of a grant segment, as {@link UrlSigner.verify}
 * takes them: empty when there is no segment (`absent`), and an expiry no
 * signer accepts when the segment is malformed (`invalid`).
 *
 * @example
 * ```ts
 * signer.verify({ kind: 'hls', projectId, id }, grantProof(c.req.param('grant')))
 * ```
 */
export function grantProof(grant: string | undefined): { expires?: string; signature?: string } {
  if (grant === undefined) return {}
  // base64url has no '.', so the first dot is the only separator.
  const dot = grant.indexOf('.')
  if (dot < 0) return { expires: '', signature: grant }
  return { expires: grant.slice(0, dot), signature: grant.slice(dot + 1) }
}
