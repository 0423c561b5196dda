import { AssetNotFoundError } from '../errors.js'
import type { AssetResolver } from './asset-resolver.js'
import { resolveInsideRoot } from './resolve-inside-root.js'

/**
 * An {@link AssetResolver} where an asset id is a file path relative to `root`
 * (`'clips/a.mp4'`). It refuses, with `ASSET_NOT_FOUND`, any id that could
 * escape `root`: `..` segments, absolute paths, NUL bytes, backslashes, and
 * symbolic links whose target lies outside `root`; and anything that is not a
 * regular file. The message names the asset id, never the server's path.
 * `exists` answers with the same checks, so a job with a missing clip is
 * refused when it is created.
 *
 * @example
 * ```ts
 * import { directoryAssets } from '@mastervideo/core'
 *
 * const assets = directoryAssets('assets')
 * // await assets.resolve({ assetId: 'intro.mp4' }, job) -> '/abs/path/assets/intro.mp4'
 * // await assets.exists?.({ assetId: 'missing.mp4' }, { projectId: 'p1' }) -> false
 * ```
 */
export function directoryAssets(root: string): AssetResolver {
  return {
    async resolve(shot) {
      const { assetId } = shot
      const found = await resolveInsideRoot(root, typeof assetId === 'string' ? assetId : '')
      if (found.ok) return found.path
      throw new AssetNotFoundError(`Asset ${JSON.stringify(String(assetId))} ${found.reason}`, {
        ...(found.cause === undefined ? {} : { cause: found.cause }),
        details: { assetId },
      })
    },
    // The same checks as resolve: an id resolve would refuse does not exist.
    async exists(shot) {
      const { assetId } = shot
      return (await resolveInsideRoot(root, typeof assetId === 'string' ? assetId : '')).ok
    },
  }
}
