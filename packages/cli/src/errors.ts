import { AssetNotFoundError, type MasterVideoErrorOptions } from '@mastervideo/core'

/** The package every error of the command line names as its `origin` (logs show it; messages do not). */
export const ORIGIN = 'mastervideo'

/**
 * `ASSET_NOT_FOUND`: a shot the standalone server cannot find a clip for.
 *
 * @example
 * ```ts
 * throw assetNotFound('Project "p1" has no asset folder', { details: { projectId: 'p1' } })
 * ```
 */
export function assetNotFound(message: string, options?: MasterVideoErrorOptions): AssetNotFoundError {
  return new AssetNotFoundError(message, { ...options, origin: ORIGIN })
}
