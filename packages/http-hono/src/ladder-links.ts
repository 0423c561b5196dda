import type { MasterVideo } from '@mastervideo/core'
import { hlsGrant } from './hls-grant.js'
import { HLS_MASTER_PLAYLIST } from './hls-routes.js'
import type { UrlSigner } from './signed-url.js'

/** Where a client fetches one rendition: inline for a player, or as a named download. */
export interface RenditionUrls {
  video: string
  download: string
}

/** The URLs of a job's renditions and HLS ladder, as `urls` in its JSON carries them. */
export interface LadderUrls {
  /** One entry per rendition made, by name; empty until the job is completed. */
  renditions: Record<string, RenditionUrls>
  /** The master playlist, or `null` without a ladder. Signed, it opens every file the playlist leads to. */
  hls: string | null
}

/**
 * The rendition and HLS URLs of a job under `jobPath`, signed when a signer
 * is given: a rendition's URLs carry `expires` and `signature` like the
 * master's; the master playlist carries a grant segment
 * (`…/hls/<expires>.<signature>/master.m3u8`) that the relative URIs inside
 * the playlists inherit.
 *
 * @example
 * ```ts
 * ladderUrls(record, '/api/projects/p1/master-videos/' + record.id, null).hls
 * // '/api/projects/p1/master-videos/master_1_abcdefgh/hls/master.m3u8'
 * ```
 */
export function ladderUrls(record: MasterVideo, jobPath: string, signer: UrlSigner | null): LadderUrls {
  const ready = record.status === 'completed' && record.output !== null
  const job = { projectId: record.projectId, id: record.id }
  const renditions: Record<string, RenditionUrls> = {}
  for (const { name } of ready ? record.renditions : []) {
    const url = (kind: 'video' | 'download') => {
      const path = `${jobPath}/renditions/${encodeURIComponent(name)}/${kind}`
      const query = signer?.sign({ kind: `rendition-${kind}`, ...job, rendition: name })
      return query ? `${path}?${query}` : path
    }
    renditions[name] = { video: url('video'), download: url('download') }
  }
  const prefix = signer ? `${jobPath}/hls/${hlsGrant(signer, job)}` : `${jobPath}/hls`
  return { renditions, hls: ready && record.hls ? `${prefix}/${HLS_MASTER_PLAYLIST}` : null }
}
