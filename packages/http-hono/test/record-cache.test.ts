// The record cache of the file routes: a hit skips the repository, deletes drop it,
// authorization and project scoping still run, non-completed records are never kept.
import { createMasterVideos, type MasterVideos } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { type MasterVideoRoutesOptions, masterVideoRoutes } from '../src/index.js'
import { type Fixture, fixture } from './helpers.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** The fixture's service with its repository's `get` counted. */
async function counted(transcoder = {}) {
  const fx: Fixture = await fixture(transcoder)
  cleanups.push(fx.close)
  let reads = 0
  const { repository } = fx.mv
  const get = repository.get.bind(repository)
  repository.get = (id) => {
    reads++
    return get(id)
  }
  return { fx, reads: () => reads }
}

function routes(mv: MasterVideos, options: MasterVideoRoutesOptions = {}) {
  const app = new Hono()
  app.route('/api/projects', masterVideoRoutes(mv, options))
  return (path: string, init: RequestInit = {}) => app.request(`/api/projects${path}`, init)
}

const range = { headers: { Range: 'bytes=0-99' } }

describe('record cache', () => {
  it('a second request for a completed job does not read the repository', async () => {
    const { fx, reads } = await counted()
    const { record } = await fx.completedJob()
    const request = routes(fx.mv)
    const before = reads()
    expect((await request(`/p1/master-videos/${record.id}/video`, range)).status).toBe(206)
    expect((await request(`/p1/master-videos/${record.id}/download`, range)).status).toBe(206)
    expect((await request(`/p1/master-videos/${record.id}/thumbnail`)).status).toBe(200)
    expect(reads() - before).toBe(1)
  })

  it('recordCache: false reads the repository on every request', async () => {
    const { fx, reads } = await counted()
    const { record } = await fx.completedJob()
    const request = routes(fx.mv, { recordCache: false })
    const before = reads()
    for (let i = 0; i < 3; i++) await request(`/p1/master-videos/${record.id}/video`, range)
    expect(reads() - before).toBe(3)
  })

  it('a delete through the routes, or through the service, drops the record', async () => {
    const { fx } = await counted()
    const request = routes(fx.mv, { recordCache: { maxAgeMs: 60_000 } })
    const [first, second] = [(await fx.completedJob()).record, (await fx.completedJob()).record]
    for (const id of [first.id, second.id]) {
      expect((await request(`/p1/master-videos/${id}/video`, range)).status).toBe(206)
    }
    expect((await request(`/p1/master-videos/${first.id}`, { method: 'DELETE' })).status).toBe(200)
    await fx.mv.delete(second.id)
    for (const id of [first.id, second.id]) {
      const res = await request(`/p1/master-videos/${id}/video`, range)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: string }).error).toBe(`No master video ${id}`)
    }
  })

  it('a job deleted by another process stops being served within maxAgeMs', async () => {
    const { fx } = await counted()
    const request = routes(fx.mv, { recordCache: { maxAgeMs: 300 } })
    // Another process: its own service on the same repository and store; this one hears nothing.
    const other = createMasterVideos({
      repository: fx.mv.repository,
      output: fx.mv.output,
      transcoder: testTranscoder(),
      assets: () => '/nowhere',
    })
    const [kept, gone] = [(await fx.completedJob()).record, (await fx.completedJob()).record]
    for (const id of [kept.id, gone.id]) await request(`/p1/master-videos/${id}/video`, range)

    // Its files are deleted with it: the cached record leads to a 404 at once.
    await other.delete(gone.id)
    expect((await request(`/p1/master-videos/${gone.id}/video`, range)).status).toBe(404)

    // A record removed while its file stays is served until maxAgeMs, never longer.
    await fx.mv.repository.delete(kept.id)
    expect((await request(`/p1/master-videos/${kept.id}/video`, range)).status).toBe(206)
    await new Promise((resolve) => setTimeout(resolve, 320))
    expect((await request(`/p1/master-videos/${kept.id}/video`, range)).status).toBe(404)
  })

  it('authorization runs on every request and another project is still refused', async () => {
    const { fx } = await counted()
    const { record } = await fx.completedJob({ projectId: 'p1' })
    const asked: string[] = []
    const request = routes(fx.mv, {
      authorize: (c, { projectId }) => {
        asked.push(projectId)
        return c.req.header('x-user') === 'ok'
      },
    })
    const allowed = { headers: { ...range.headers, 'x-user': 'ok' } }
    expect((await request(`/p1/master-videos/${record.id}/video`, allowed)).status).toBe(206)
    expect((await request(`/p1/master-videos/${record.id}/video`, range)).status).toBe(403)
    // Cached under p1, the id is still unknown to p2.
    expect((await request(`/p2/master-videos/${record.id}/video`, allowed)).status).toBe(404)
    expect((await request(`/p1/master-videos/${record.id}/video`, allowed)).status).toBe(206)
    expect(asked).toEqual(['p1', 'p1', 'p2', 'p1'])
  })

  it('canceled and retried jobs are read anew on every request', async () => {
    const { fx, reads } = await counted({ durationMs: 10_000 })
    const request = routes(fx.mv)
    const job = await fx.mv.create({ projectId: 'p1', name: 'slow', shots: [await fx.clip('slow.bin')] })
    await fx.mv.cancel(job.id)
    let before = reads()
    for (let i = 0; i < 2; i++) {
      const res = await request(`/p1/master-videos/${job.id}/video`, range)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { status: string }).status).toBe('canceled')
    }
    expect(reads() - before).toBe(2)

    expect((await request(`/p1/master-videos/${job.id}/retry`, { method: 'POST' })).status).toBe(200)
    before = reads()
    for (let i = 0; i < 2; i++) {
      const res = await request(`/p1/master-videos/${job.id}/video`, range)
      expect(res.status).toBe(400)
      expect(['created', 'processing']).toContain(((await res.json()) as { status: string }).status)
    }
    expect(reads() - before).toBe(2)
  })
})
