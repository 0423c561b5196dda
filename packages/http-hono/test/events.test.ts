// Server-sent events of a real job, over a real server.
import http from 'node:http'
import path from 'node:path'
import { createMasterVideos, localOutputStore, type MasterVideos, memoryRepository } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, serveRoutes } from './helpers.js'

interface SseEvent {
  event: string
  data: string
}

/** Reads a whole event stream until the server ends it; comments are kept as `:` events. */
function readEvents(url: string): Promise<{ status: number; type: string; events: SseEvent[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          const events = text
            .split('\n\n')
            .filter((block) => block.trim() !== '')
            .map((block) => {
              if (block.startsWith(':')) return { event: ':', data: block.slice(1).trim() }
              const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
              const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n')
              return { event, data }
            })
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), events })
        })
      })
      .on('error', reject)
  })
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Checks the order: [created], processing, progress (rising, at least `minProgress`), completed, then the end. */
function expectLifecycle(events: SseEvent[], minProgress: number) {
  const names = events.filter((e) => e.event !== ':').map((e) => e.event)
  const start = names[0] === 'created' ? 1 : 0
  expect(names[start]).toBe('processing')
  expect(names.at(-1)).toBe('completed')
  const middle = names.slice(start + 1, -1)
  expect(middle.every((name) => name === 'progress')).toBe(true)
  expect(middle.length).toBeGreaterThanOrEqual(minProgress)
  const values = events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data).progress)
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1])
  const completed = JSON.parse(events.findLast((e) => e.event === 'completed')?.data ?? '{}')
  expect(completed.status).toBe('completed')
  expect(completed.progress).toBe(1)
  expect(completed).not.toHaveProperty('leaseToken')
  expect(completed.urls.video).toMatch(/\/video$/)
}

describe('GET .../:id/events', () => {
  it('delivers processing, several progress events and completed, in order, then ends', async () => {
    const fx = await fixture({ durationMs: 1500, steps: 10 })
    const server = await serveRoutes(fx.mv, { events: { heartbeatMs: 100 } })
    cleanups.push(fx.close, server.close)
    const job = await fx.mv.create({ projectId: 'p', name: 'live', shots: [await fx.clip('a.bin')] })
    const { status, type, events } = await readEvents(
      `${server.url}/api/projects/p/master-videos/${job.id}/events`,
    )
    expect(status).toBe(200)
    expect(type).toMatch(/^text\/event-stream/)
    expectLifecycle(events, 3)
    for (const event of events.filter((e) => e.event === 'progress')) {
      expect(Object.keys(JSON.parse(event.data)).sort()).toEqual(['id', 'progress', 'projectId'])
    }
    // A 1.5 s job with a 100 ms heartbeat: comments kept the stream alive.
    expect(events.some((e) => e.event === ':' && e.data === 'heartbeat')).toBe(true)
  })

  it('follows a job run by a worker in another process, through the repository', async () => {
    const fx = await fixture({ durationMs: 1 }) // only for its temp dir and clips
    cleanups.push(fx.close)
    const repository = memoryRepository()
    const make = (): MasterVideos =>
      createMasterVideos({
        repository,
        transcoder: testTranscoder({ durationMs: 1500, steps: 10 }),
        assets: (shot) => path.join(fx.dir, 'assets', shot.assetId),
        output: localOutputStore(path.join(fx.dir, 'out2')),
      })
    const web = make() // serves HTTP, runs no worker: it never emits progress itself
    const elsewhere = make()
    elsewhere.worker({ heartbeatMs: 50, progressIntervalMs: 1 }).start()
    cleanups.push(() => elsewhere.close())
    const server = await serveRoutes(web, { events: { pollMs: 50 } })
    cleanups.push(server.close)
    const job = await web.create({ projectId: 'p', name: 'remote', shots: [await fx.clip('r.bin')] })
    const { events } = await readEvents(`${server.url}/api/projects/p/master-videos/${job.id}/events`)
    expectLifecycle(events, 2)
  })

  it('a job already final sends its status once and ends', async () => {
    const fx = await fixture()
    const server = await serveRoutes(fx.mv)
    cleanups.push(fx.close, server.close)
    const { record } = await fx.completedJob()
    const { events } = await readEvents(`${server.url}/api/projects/p1/master-videos/${record.id}/events`)
    expect(events.map((e) => e.event)).toEqual(['completed'])
  })

  it('a canceled job ends the stream with canceled', async () => {
    const fx = await fixture({ durationMs: 10_000, steps: 100 })
    const server = await serveRoutes(fx.mv)
    cleanups.push(fx.close, server.close)
    const job = await fx.mv.create({ projectId: 'p', name: 'c', shots: [await fx.clip('c.bin')] })
    const reading = readEvents(`${server.url}/api/projects/p/master-videos/${job.id}/events`)
    await new Promise((resolve) => fx.mv.once('progress', resolve))
    await fx.mv.cancel(job.id)
    const { events } = await reading
    expect(events.at(-1)?.event).toBe('canceled')
    expect(JSON.parse(events.at(-1)?.data ?? '{}').status).toBe('canceled')
  })

  it('a client that leaves unsubscribes from the service', async () => {
    const fx = await fixture({ durationMs: 10_000, steps: 100 })
    // The same service, counting its subscriptions.
    let listening = 0
    const counted: MasterVideos = {
      ...fx.mv,
      on: ((event, listener) => {
        listening++
        return fx.mv.on(event, listener)
      }) as MasterVideos['on'],
      off: ((event, listener) => {
        listening--
        return fx.mv.off(event, listener)
      }) as MasterVideos['off'],
    }
    const server = await serveRoutes(counted)
    cleanups.push(fx.close, server.close)
    const job = await fx.mv.create({ projectId: 'p', name: 'c', shots: [await fx.clip('l.bin')] })
    const req = http.get(`${server.url}/api/projects/p/master-videos/${job.id}/events`)
    await new Promise<void>((resolve) => req.on('response', () => resolve()))
    expect(listening).toBeGreaterThan(0)
    req.destroy()
    for (let i = 0; i < 250 && listening !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(listening).toBe(0)
  })
})
