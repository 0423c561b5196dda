// POST .../:id/retry with new encoding options: a retry that need not fail the same way again.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, InputInvalidError, localOutputStore, memoryRepository } from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { masterVideoRoutes } from '../src/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-retry-'))
  await writeTestClip(path.join(dir, 'a.bin'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('POST /:projectId/master-videos/:id/retry', () => {
  it('takes new encoding options, laid over the job’s own; no body keeps them; a bad body is a 400', async () => {
    const failures = [new InputInvalidError('These clips cannot be joined without re-encoding'), null]
    const mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder: testTranscoder({ durationMs: 1, failures }),
      assets: (shot) => path.join(dir, shot.assetId),
      output: localOutputStore(path.join(dir, 'out')),
    })
    const app = new Hono().route('/api/projects', masterVideoRoutes(mv))
    const job = await mv.create({
      projectId: 'p',
      name: 'x',
      shots: ['a.bin'],
      encoding: { strategy: 'copy', crf: 20 },
    })
    mv.worker({ heartbeatMs: 50 }).start()
    await expect(mv.waitFor(job.id, { pollMs: 10 })).rejects.toMatchObject({ code: 'INPUT_INVALID' })

    const retry = (init: RequestInit = {}) =>
      app.request(`/api/projects/p/master-videos/${job.id}/retry`, { method: 'POST', ...init })
    const bad = await retry({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encoding: { strategy: 'magic' } }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { code: string }).code).toBe('VALIDATION')

    const res = await retry({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encoding: { strategy: 'reencode' } }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; encoding: unknown }
    expect(body.status).toBe('created')
    expect(body.encoding).toEqual({ strategy: 'reencode', crf: 20 })
    const done = await mv.waitFor(job.id, { pollMs: 10 })
    expect(done.encoding).toEqual({ strategy: 'reencode', crf: 20 })

    // Cancel, then a retry without a body: the options stay.
    const again = await mv.create({
      projectId: 'p',
      name: 'y',
      shots: ['a.bin'],
      runAt: new Date(Date.now() + 60_000),
    })
    await mv.cancel(again.id)
    const plain = await app.request(`/api/projects/p/master-videos/${again.id}/retry`, { method: 'POST' })
    expect(plain.status).toBe(200)
    await mv.close()
  })
})
