// POST .../master-videos with clips that do not exist: refused at once, naming them.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, directoryAssets, localOutputStore, memoryRepository } from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { masterVideoRoutes } from '../src/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-fail-fast-'))
  await writeTestClip(path.join(dir, 'a.bin'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('POST /:projectId/master-videos with missing shots', () => {
  it('answers 422 ASSET_NOT_FOUND naming the missing shots, and stores no job', async () => {
    const mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder: testTranscoder(),
      assets: directoryAssets(dir),
      output: localOutputStore(path.join(dir, 'out')),
    })
    const app = new Hono().route('/api/projects', masterVideoRoutes(mv))
    const post = (shots: string[]) =>
      app.request('/api/projects/p/master-videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', shots }),
      })
    const res = await post(['a.bin', 'gone.mp4', 'Клип.mp4'])
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      code: 'ASSET_NOT_FOUND',
      error: 'These clips do not exist: "gone.mp4", "Клип.mp4"',
    })
    expect((await mv.list({ projectId: 'p' })).items).toEqual([])
    expect((await post(['a.bin'])).status).toBe(201)
    await mv.close()
  })
})
