import type { MasterVideo, Shot } from '../record/master-video.js'

/** What {@link AssetResolver.exists} knows of the job: it runs before the job is stored. */
export type AssetContext = Pick<MasterVideo, 'projectId'>

/**
 * Turns a shot into a local file path the transcoder can read.
 *
 * Obligations: an implementation MUST reject with `ASSET_NOT_FOUND` when the
 * asset does not exist or is not allowed (never return a path it did not
 * check), and MUST NOT let an asset id choose an arbitrary file on the host.
 */
export interface AssetResolver {
  resolve(shot: Shot, job: MasterVideo): Promise<string>
  /**
   * Optional: whether `resolve` would accept the shot now, asked when a job
   * is created so that a missing clip is refused at once (`ASSET_NOT_FOUND`)
   * instead of failing the job later. Omit it when the answer is expensive
   * (a download) or only known at run time.
   *
   * An implementation MUST resolve `false`, never reject, for an asset that
   * does not exist or is not allowed (an id that escapes its root included);
   * MUST resolve `true` for every shot `resolve` accepts at that moment; and
   * MUST NOT download or copy the asset to answer.
   */
  exists?(shot: Shot, context: AssetContext): Promise<boolean>
}

/** The shorthand: any function from shot (and job) to a path. */
export type AssetResolveFunction = (shot: Shot, job: MasterVideo) => string | Promise<string>

/** Accepts either form and returns an {@link AssetResolver}. */
export function toAssetResolver(assets: AssetResolver | AssetResolveFunction): AssetResolver {
  if (typeof assets === 'function') return { resolve: async (shot, job) => assets(shot, job) }
  return assets
}
