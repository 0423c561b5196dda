import { realpathSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { AssetNotFoundError } from '../errors.js'
import type { AssetResolver } from './asset-resolver.js'

function refuse(assetId: string, why: string): never {
  throw new AssetNotFoundError(`[mastervideo] asset ${JSON.stringify(assetId)} refused: ${why}`, {
    details: { assetId },
  })
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/**
 * An {@link AssetResolver} where an asset id is a file path relative to `root`
 * (`'clips/a.mp4'`). It refuses, with `ASSET_NOT_FOUND`, any id that could
 * escape `root`: `..` segments, absolute paths, NUL bytes, backslashes, and
 * symbolic links whose target lies outside `root`.
 *
 * @example
 * ```ts
 * import { directoryAssets } from '@mastervideo/core'
 *
 * const assets = directoryAssets('assets')
 * // await assets.resolve({ assetId: 'intro.mp4' }, job) -> '/abs/path/assets/intro.mp4'
 * ```
 */
export function directoryAssets(root: string): AssetResolver {
  const absoluteRoot = path.resolve(root)
  let realRoot: string | undefined
  return {
    async resolve(shot) {
      const { assetId } = shot
      if (typeof assetId !== 'string' || assetId === '') refuse(String(assetId), 'empty id')
      if (assetId.includes('\u0000')) refuse(assetId, 'contains a NUL byte')
      if (assetId.includes('\\')) refuse(assetId, 'contains a backslash')
      if (path.isAbsolute(assetId) || /^[a-zA-Z]:/.test(assetId)) refuse(assetId, 'is an absolute path')
      if (assetId.split('/').some((segment) => segment === '..')) refuse(assetId, 'contains ".."')
      const candidate = path.resolve(absoluteRoot, assetId)
      if (!isInside(absoluteRoot, candidate)) refuse(assetId, 'resolves outside the asset root')
      try {
        realRoot ??= realpathSync(absoluteRoot)
      } catch (cause) {
        throw new AssetNotFoundError(`[mastervideo] asset root ${absoluteRoot} does not exist`, { cause })
      }
      let real: string
      try {
        real = await realpath(candidate)
      } catch (cause) {
        throw new AssetNotFoundError(`[mastervideo] asset ${JSON.stringify(assetId)} not found`, {
          cause,
          details: { assetId },
        })
      }
      if (!isInside(realRoot, real)) refuse(assetId, 'is a link that points outside the asset root')
      const info = await stat(real)
      if (!info.isFile()) refuse(assetId, 'is not a regular file')
      return real
    },
  }
}
