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

/**
 * `VALIDATION`: a setting (an environment variable) that cannot work as given.
 *
 * @example
 * ```ts
 * throw invalidSetting('MASTERVIDEO_DELIVERY must be proxy or redirect', { details: { field: 'MASTERVIDEO_DELIVERY' } })
 * ```
 */
export const invalidSetting = errors.validation
