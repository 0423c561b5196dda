import type { MasterVideo, Shot } from '../record/master-video.js'

/**
 * Turns a shot into a local file path the transcoder can read.
 *
 * Obligations: an implementation MUST reject with `ASSET_NOT_FOUND` when the
 * asset does not exist or is not allowed (never return a path it did not
 * check), and MUST NOT let an asset id choose an arbitrary file on the host.
 */
export interface AssetResolver {
  resolve(shot: Shot, job: MasterVideo): Promise<string>
}

/** The shorthand: any function from shot (and job) to a path. */
export type AssetResolveFunction = (shot: Shot, job: MasterVideo) => string | Promise<string>

/** Accepts either form and returns an {@link AssetResolver}. */
export function toAssetResolver(assets: AssetResolver | AssetResolveFunction): AssetResolver {
  if (typeof assets === 'function') return { resolve: async (shot, job) => assets(shot, job) }
  return assets
}
