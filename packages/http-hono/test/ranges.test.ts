// The RFC 9110 range checklist (range-checklist.ts) against the local store.
import type { MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll } from 'vitest'
import { type Fixture, fixture, serveRoutes, type TestServer } from './helpers.js'
import { type RangeTarget, rangeChecklist } from './range-checklist.js'

let fx: Fixture
let server: TestServer
let target: RangeTarget

beforeAll(async () => {
  fx = await fixture()
  const { record, bytes }: { record: MasterVideo; bytes: Buffer } = await fx.completedJob({
    payloadBytes: 100_000,
  })
  server = await serveRoutes(fx.mv)
  const video = await fx.mv.output.stat(record.output?.key ?? '')
  const thumbnail = await fx.mv.output.stat(record.thumbnailKey ?? '')
  target = {
    videoUrl: `${server.url}/api/projects/p1/master-videos/${record.id}/video`,
    bytes,
    mtimeMs: video?.mtimeMs ?? 0,
    thumbnailSize: thumbnail?.size ?? -1,
  }
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

rangeChecklist(() => target)
