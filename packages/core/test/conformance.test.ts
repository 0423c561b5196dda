import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { intervalPoller, localOutputStore, memoryRepository, type OutputStore } from '@mastervideo/core'
import {
  outputStoreConformance,
  pollerConformance,
  repositoryConformance,
  testTranscoder,
  transcoderConformance,
  writeTestClip,
} from '@mastervideo/core/testing'

repositoryConformance({ name: 'memoryRepository', create: () => memoryRepository() })

const storeDirs = new Map<OutputStore, string>()
outputStoreConformance({
  name: 'localOutputStore',
  create: async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mv-store-conformance-'))
    // A directory the store has to create itself, as on a first run.
    const store = localOutputStore(path.join(dir, 'master-videos'))
    storeDirs.set(store, dir)
    return store
  },
  cleanup: async (store) => {
    await rm(storeDirs.get(store) as string, { recursive: true, force: true })
    storeDirs.delete(store)
  },
})

pollerConformance({ name: 'intervalPoller', intervalMs: 50, create: () => intervalPoller(50) })

transcoderConformance({
  name: 'testTranscoder',
  create: () => testTranscoder({ durationMs: 200 }),
  makeClips: (dir, count) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        writeTestClip(path.join(dir, `clip-${i}.bin`), { durationSec: 1 + i }),
      ),
    ),
})
