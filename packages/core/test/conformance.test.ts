import path from 'node:path'
import { memoryRepository } from '@mastervideo/core'
import {
  repositoryConformance,
  testTranscoder,
  transcoderConformance,
  writeTestClip,
} from '@mastervideo/core/testing'

repositoryConformance({ name: 'memoryRepository', create: () => memoryRepository() })

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
