import { originErrors } from '@mastervideo/core/adapter'

/** The package every error of the command line names as its `origin` (logs show it; messages do not). */
export const ORIGIN = 'mastervideo'

const errors = originErrors(ORIGIN)

/**
 * `ASSET_NOT_FOUND`: a shot the standalone server cannot find a clip for.
 *
 * @example
 * ```ts
 * throw assetNotFound('Project "p1" has no asset folder', { details: { projectId: 'p1' } })
 * ```
 */
export const assetNotFound = errors.assetNotFound
