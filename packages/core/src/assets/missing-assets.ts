import { AssetNotFoundError } from '../errors.js'
import type { Shot } from '../record/master-video.js'
import type { AssetContext, AssetResolver } from './asset-resolver.js'

/** Most asset ids one refusal names; the rest are counted. */
const NAMED = 10

/**
 * Refuses shots whose assets do not exist, when the resolver can tell
 * (`exists`); a resolver without it is left to fail the job when it runs.
 * Each distinct asset is asked once, all at the same time.
 *
 * @throws `ASSET_NOT_FOUND` naming the missing asset ids (`details.missing` has them all).
 * @example
 * ```ts
 * await assertAssetsExist(directoryAssets('assets'), [{ assetId: 'a.mp4' }], { projectId: 'p1' })
 * ```
 */
export async function assertAssetsExist(
  resolver: AssetResolver,
  shots: readonly Shot[],
  context: AssetContext,
): Promise<void> {
  const { exists } = resolver
  if (!exists) return
  const ids = [...new Set(shots.map((shot) => shot.assetId))]
  const found = await Promise.all(
    ids.map((assetId) => exists.call(resolver, { assetId }, context).catch(() => false)),
  )
  const missing = ids.filter((_, i) => !found[i])
  if (missing.length === 0) return
  const named = missing
    .slice(0, NAMED)
    .map((id) => JSON.stringify(id))
    .join(', ')
  const more = missing.length > NAMED ? ` and ${missing.length - NAMED} more` : ''
  const what = missing.length === 1 ? 'This clip does not exist' : 'These clips do not exist'
  throw new AssetNotFoundError(`${what}: ${named}${more}`, { details: { missing } })
}
