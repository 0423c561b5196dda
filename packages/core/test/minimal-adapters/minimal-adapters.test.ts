// The adapters of docs/adapters.md, proven with the suites an adapter author runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { outputStoreConformance, repositoryConformance } from '@mastervideo/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { folderOutputStore } from './folder-output-store.js'
import { jsonFileRepository } from './json-file-repository.js'

let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-minimal-adapters-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

repositoryConformance({
  name: 'jsonFileRepository',
  create: () => jsonFileRepository(path.join(dir, `jobs-${n++}.json`)),
})

outputStoreConformance({
  name: 'folderOutputStore',
  create: () => folderOutputStore(path.join(dir, `videos-${n++}`)),
})
