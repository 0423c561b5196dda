// An OutputStore without `localPath` (what an object store looks like): every
// body comes from `createReadStream`, small ranges included, which take
// another path than on the local store.
import type { MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, fixture, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let server: TestServer
let record: MasterVideo
let bytes: Buffer
let video: string

beforeAll(async () => {
  fx = await fixture({}, { hideLocalPath: true })
  ;({ record, bytes } = await fx.completedJob({ payloadBytes: 600_000 }))
  server = await serveRoutes(fx.mv)
  video = `${server.url}/api/projects/p1/master-videos/${record.id}/video`
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

describe('a store without localPath', () => {
  it('has no local path to offer', () => {
    expect(fx.mv.output.localPath).toBeUndefined()
  })

  it.each([
    ['a small range', 'bytes=100-199', 100, 199],
    ['Safari’s first probe', 'bytes=0-1', 0, 1],
    ['a suffix range', 'bytes=-500', -500, -1],
    ['a range over 256 KiB', 'bytes=1000-400000', 1000, 400_000],
  ])('serves %s with exact bytes', async (_what, range, from, to) => {
    const start = from < 0 ? bytes.length + from : from
    const end = to < 0 ? bytes.length + to : to
    const res = await request(video, { headers: { Range: range } })
    expect(res.status).toBe(206)
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${bytes.length}`)
    expect(res.headers['content-length']).toBe(String(end - start + 1))
    expect(res.body.equals(bytes.subarray(start, end + 1))).toBe(true)
  })

  it('serves the whole file and a HEAD with the same headers', async () => {
    const whole = await request(video)
    expect(whole.status).toBe(200)
    expect(whole.body.equals(bytes)).toBe(true)
    const head = await request(video, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(bytes.length))
    expect(head.body.length).toBe(0)
  })
})
