import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { assetResolverConformance } from '../testing/asset-resolver-conformance.js'
import { directoryAssets } from './directory-assets.js'

assetResolverConformance({
  name: 'directoryAssets',
  async create() {
    const root = await mkdtemp(path.join(tmpdir(), 'mv-assets-'))
    await writeFile(path.join(root, 'a.mp4'), 'clip a')
    await writeFile(path.join(root, 'Клип 01.mp4'), 'clip b')
    return { resolver: directoryAssets(root), present: ['a.mp4', 'Клип 01.mp4'], missing: ['b.mp4'] }
  },
  async cleanup(fixture) {
    const file = await fixture.resolver.resolve({ assetId: 'a.mp4' }, {} as never)
    await rm(path.dirname(file), { recursive: true, force: true })
  },
})
