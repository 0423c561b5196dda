import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localOutputStore } from '../output/local-output-store.js'
import { memoryRepository } from '../repository/memory-repository.js'
import { createMasterVideos } from '../service/master-videos.js'
import { testTranscoder } from '../testing/test-transcoder.js'
import { directoryAssets } from './directory-assets.js'
import { assertAssetsExist } from './missing-assets.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mv-missing-'))
  await writeFile(path.join(root, 'a.mp4'), 'a')
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('assertAssetsExist', () => {
  it('passes when every asset exists, and when the resolver cannot tell', async () => {
    await assertAssetsExist(directoryAssets(root), [{ assetId: 'a.mp4' }], { projectId: 'p' })
    await assertAssetsExist({ resolve: async () => '/x' }, [{ assetId: 'zzz' }], { projectId: 'p' })
  })

  it('names each missing asset once, and counts past ten', async () => {
    const shots = ['a.mp4', 'b.mp4', 'b.mp4', ...Array.from({ length: 11 }, (_, i) => `m${i}.mp4`)]
    const error = await assertAssetsExist(
      directoryAssets(root),
      shots.map((assetId) => ({ assetId })),
      { projectId: 'p' },
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ASSET_NOT_FOUND' })
    expect((error as Error).message).toBe(
      'These clips do not exist: "b.mp4", "m0.mp4", "m1.mp4", "m2.mp4", "m3.mp4", "m4.mp4", "m5.mp4", "m6.mp4", "m7.mp4", "m8.mp4" and 2 more',
    )
    expect((error as { details: { missing: string[] } }).details.missing).toHaveLength(12)
  })

  it('an exists that throws counts as missing', async () => {
    const resolver = {
      resolve: async () => '/x',
      exists: async () => {
        throw new Error('network down')
      },
    }
    await expect(assertAssetsExist(resolver, [{ assetId: 'a' }], { projectId: 'p' })).rejects.toMatchObject({
      code: 'ASSET_NOT_FOUND',
    })
  })
})

describe('create with a resolver that has exists', () => {
  it('refuses missing shots with ASSET_NOT_FOUND and stores no job', async () => {
    const repository = memoryRepository()
    const mv = createMasterVideos({
      repository,
      transcoder: testTranscoder(),
      assets: directoryAssets(root),
      output: localOutputStore(path.join(root, 'out')),
    })
    await expect(
      mv.create({ projectId: 'p', name: 'x', shots: ['a.mp4', 'nope.mp4'] }),
    ).rejects.toMatchObject({
      code: 'ASSET_NOT_FOUND',
      message: 'This clip does not exist: "nope.mp4"',
    })
    expect((await mv.list({ projectId: 'p' })).items).toEqual([])
    expect((await mv.create({ projectId: 'p', name: 'ok', shots: ['a.mp4'] })).status).toBe('created')
    await mv.close()
  })
})
