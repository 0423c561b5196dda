import { access } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { AssetResolver } from '../assets/asset-resolver.js'
import { initialRecord } from '../record/state-machine.js'
import { expectCode } from './expect-code.js'

/** A resolver under test and the assets it holds. */
export interface AssetResolverFixture {
  resolver: AssetResolver
  /** Asset ids that exist and that `resolve` accepts (at least one). */
  present: string[]
  /** Asset ids that do not exist (at least one). */
  missing: string[]
  /** The project the jobs of these shots belong to. Default `'p1'`. */
  projectId?: string
}

/** Options of {@link assetResolverConformance}. */
export interface AssetResolverConformanceOptions {
  /** Shown in the test names. */
  name?: string
  /** A resolver holding `present` and not `missing`, fresh for each test. */
  create: () => AssetResolverFixture | Promise<AssetResolverFixture>
  /** Called after each test (remove its folder or bucket prefix). */
  cleanup?: (fixture: AssetResolverFixture) => void | Promise<void>
}

/** Ids no resolver may follow out of its own assets. */
const ESCAPES = ['../outside.mp4', '/etc/passwd', 'a/../../outside.mp4', 'nul\u0000.mp4', '']

/**
 * Checks an {@link AssetResolver} against the obligations on its interface:
 * `resolve` returns a readable path for an asset that exists and rejects
 * `ASSET_NOT_FOUND` for a missing one and for an id that tries to escape;
 * and, when the resolver has `exists`, that it answers `true` for every asset
 * `resolve` accepts and `false`, never an error, for everything `resolve`
 * refuses.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises'
 * import { directoryAssets } from '@mastervideo/core'
 * import { assetResolverConformance } from '@mastervideo/core/testing'
 *
 * assetResolverConformance({
 *   name: 'directoryAssets',
 *   create: async () => {
 *     await writeFile('/tmp/assets/a.mp4', 'clip')
 *     return { resolver: directoryAssets('/tmp/assets'), present: ['a.mp4'], missing: ['b.mp4'] }
 *   },
 * })
 * ```
 */
export function assetResolverConformance(options: AssetResolverConformanceOptions): void {
  const used: AssetResolverFixture[] = []
  const open = async () => {
    const fixture = await options.create()
    used.push(fixture)
    expect(fixture.present.length, 'the fixture needs at least one present asset').toBeGreaterThan(0)
    expect(fixture.missing.length, 'the fixture needs at least one missing asset').toBeGreaterThan(0)
    return fixture
  }
  const jobOf = (fixture: AssetResolverFixture, assetIds: string[]) =>
    initialRecord(
      {
        id: 'master_1_abcdefgh',
        projectId: fixture.projectId ?? 'p1',
        name: 'conformance',
        shots: assetIds.map((assetId) => ({ assetId })),
        maxAttempts: 1,
        encoding: {},
        idempotencyKey: null,
      },
      new Date(),
    )

  describe(`AssetResolver conformance${options.name ? `: ${options.name}` : ''}`, () => {
    afterEach(async () => {
      for (const fixture of used.splice(0)) await options.cleanup?.(fixture)
    })

    it('resolve returns a readable local path for every present asset', async () => {
      const fixture = await open()
      for (const assetId of fixture.present) {
        const file = await fixture.resolver.resolve({ assetId }, jobOf(fixture, [assetId]))
        await expect(access(file)).resolves.toBeUndefined()
      }
    })

    it('resolve rejects ASSET_NOT_FOUND for a missing asset and for an id that escapes', async () => {
      const fixture = await open()
      for (const assetId of [...fixture.missing, ...ESCAPES]) {
        await expectCode(
          () => fixture.resolver.resolve({ assetId }, jobOf(fixture, [assetId])),
          'ASSET_NOT_FOUND',
        )
      }
    })

    it('exists, when offered, is true for what resolve accepts and false, never an error, for the rest', async () => {
      const fixture = await open()
      const { exists } = fixture.resolver
      if (!exists) return
      const context = { projectId: fixture.projectId ?? 'p1' }
      for (const assetId of fixture.present) {
        expect(await exists.call(fixture.resolver, { assetId }, context), assetId).toBe(true)
      }
      for (const assetId of [...fixture.missing, ...ESCAPES]) {
        expect(await exists.call(fixture.resolver, { assetId }, context), JSON.stringify(assetId)).toBe(false)
      }
    })
  })
}
