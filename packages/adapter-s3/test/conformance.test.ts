import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { OutputStore } from '@mastervideo/core'
import { outputStoreConformance } from '@mastervideo/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { type S3OutputStore, s3OutputStore } from '../src/index.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

let s3: S3Fixture
let tempDir: string
beforeAll(async () => {
  s3 = await startS3()
  tempDir = await mkdtemp(path.join(tmpdir(), 'mv-s3-conformance-'))
})
afterAll(async () => {
  await s3?.stop()
  await rm(tempDir, { recursive: true, force: true })
})

// Each test gets its own prefix, so each store starts empty. The suite's files
// (200 KB to 4 MB) fit in one part, S3's minimum being 5 MiB: upload.test.ts
// holds the same obligations for multipart uploads.
outputStoreConformance({
  name: `s3OutputStore (${process.env.MASTERVIDEO_S3_ENDPOINT ? 'external S3' : 's3rver'})`,
  create: () => s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix: s3.uniquePrefix(), tempDir }),
  cleanup: (store: OutputStore) => s3.clear((store as S3OutputStore).prefix),
})
