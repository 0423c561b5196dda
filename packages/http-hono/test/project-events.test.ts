// The project-wide event stream: one connection per page, shared listeners on the service.
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

/** An open stream: the events so far, a wait for one that matches, and a way to leave. */
interface OpenStream {
  status: number
  events: SseEvent[]
  until(match: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<void>
  close(): void
}

function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const events: SseEvent[] = []
      const waiters = new Set<() => void>()
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        const blocks = text.split('\n\n')
        text = blocks.pop() ?? ''
        for (const block of blocks.filter((b) => b.trim() !== '')) {
          if (block.startsWith(':')) events.push({ event: ':', data: block.slice(1).trim() })
          else
            events.push({
              event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
              data: [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n'),
            })
        }
        for (const waiter of waiters) waiter()
      })
      resolve({
        status: res.statusCode ?? 0,
        events,
        until: (match, timeoutMs = 10_000) =>
          new Promise<void>((done, fail) => {
            const check = () => {
              if (!match(events)) return
              waiters.delete(check)
              clearTimeout(timer)
              done()
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              fail(new Error(`timed out; got ${events.map((e) => e.event).join(', ')}`))
            }, timeoutMs)
            waiters.add(check)
            check()
          }),
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
  })
}

const named = (events: SseEvent[], id: string) =>
  events.filter((e) => e.event !== ':' && JSON.parse(e.data).id === id).map((e) => e.event)

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The service, counting the listeners the routes add to it. */
function counting(mv: MasterVideos): { mv: MasterVideos; listening: () => number } {
  let listening = 0
  return {
    listening: () => listening,
    mv: {
      ...mv,
      on: ((event, listener) => {
        listening++
        return mv.on(event, listener)
      }) as MasterVideos['on'],
      off: ((event, listener) => {
        listening--
        return mv.off(event, listener)
      }) as MasterVideos['off'],
    },
  }
}

describe('GET /:projectId/master-videos/events', () => {
  it('sends every job of the project through one stream: created, processing, progress, completed, deleted', async () => {
    const fx = await fixture({ durationMs: 600, steps: 6 })
    const server = await serveRoutes(fx.mv, { events: { heartbeatMs: 100 } })
    cleanups.push(fx.close, server.close)
    const stream = await openStream(`${server.url}/api/projects/p/master-videos/events`)
    cleanups.push(stream.close)
    expect(stream.status).toBe(200)
    const a = await fx.mv.create({ projectId: 'p', name: 'a', shots: [await fx.clip('a.bin')] })
    const b = await fx.mv.create({ projectId: 'p', name: 'b', shots: [await fx.clip('b.bin')] })
    const other = await fx.mv.create({ projectId: 'q', name: 'other', shots: [await fx.clip('q.bin')] })
    await stream.until((events) => [a.id, b.id].every((id) => named(events, id).includes('completed')))
    for (const id of [a.id, b.id]) {
      const names = named(stream.events, id)
      expect(names[0]).toBe('created')
      expect(names).toContain('processing')
      expect(names).toContain('progress')
      expect(names.at(-1)).toBe('completed')
    }
    const completed = JSON.parse(stream.events.find((e) => e.event === 'completed')?.data ?? '{}')
    expect(completed.urls.video).toMatch(/^\/api\/projects\/p\/master-videos\/master_[^/]+\/video$/)
    expect(completed).not.toHaveProperty('leaseToken')
    expect(named(stream.events, other.id)).toEqual([])

    await fx.mv.delete(a.id)
    await stream.until((events) => named(events, a.id).includes('deleted'))
    expect(JSON.parse(stream.events.at(-1)?.data ?? '{}')).toEqual({ id: a.id, projectId: 'p' })
    await stream.until((events) => events.some((e) => e.event === ':' && e.data === 'heartbeat'))
  })

  it('fifty open streams add one listener per event to the service, and none once they leave', async () => {
    const fx = await fixture({ durationMs: 50 })
    const { mv, listening } = counting(fx.mv)
    const server = await serveRoutes(mv)
    cleanups.push(fx.close, server.close)
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    cleanups.push(() => void process.off('warning', onWarning))
    const streams = await Promise.all(
      Array.from({ length: 50 }, () => openStream(`${server.url}/api/projects/p/master-videos/events`)),
    )
    const perEvent = listening()
    expect(perEvent).toBeLessThanOrEqual(8)
    const job = await fx.mv.create({ projectId: 'p', name: 'x', shots: [await fx.clip('x.bin')] })
    await Promise.all(streams.map((s) => s.until((events) => named(events, job.id).includes('completed'))))
    for (const s of streams) s.close()
    for (let i = 0; i < 250 && listening() !== 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(listening()).toBe(0)
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })

  it('follows jobs a worker in another process runs, and deletions made there, by polling the list', async () => {
    const fx = await fixture({ durationMs: 1 })
    cleanups.push(fx.close)
    const repository = memoryRepository()
    const make = (): MasterVideos =>
      createMasterVideos({
        repository,
        transcoder: testTranscoder({ durationMs: 600, steps: 6 }),
        assets: (shot) => path.join(fx.dir, 'assets', shot.assetId),
        output: localOutputStore(path.join(fx.dir, 'out2')),
      })
    const web = make()
    const elsewhere = make()
    elsewhere.worker({ heartbeatMs: 50, progressIntervalMs: 1 }).start()
    cleanups.push(() => elsewhere.close())
    const server = await serveRoutes(web, { events: { pollMs: 50 } })
    cleanups.push(server.close)
    const stream = await openStream(`${server.url}/api/projects/p/master-videos/events`)
    cleanups.push(stream.close)
    const job = await elsewhere.create({ projectId: 'p', name: 'remote', shots: [await fx.clip('r.bin')] })
    await stream.until((events) => named(events, job.id).includes('completed'))
    expect(named(stream.events, job.id)).toContain('processing')
    await elsewhere.delete(job.id)
    await stream.until((events) => named(events, job.id).includes('deleted'))
  })

  it('is authorized like the list', async () => {
    const fx = await fixture()
    const seen: unknown[] = []
    const server = await serveRoutes(fx.mv, {
      authorize: (c, target) => {
        seen.push(target)
        return c.req.header('x-project') === target.projectId
      },
    })
    cleanups.push(fx.close, server.close)
    const denied = await openStream(`${server.url}/api/projects/p/master-videos/events`)
    denied.close()
    expect(denied.status).toBe(403)
    const allowed = await openStream(`${server.url}/api/projects/p/master-videos/events`, {
      'x-project': 'p',
    })
    allowed.close()
    expect(allowed.status).toBe(200)
    expect(seen).toEqual([
      { action: 'list', projectId: 'p' },
      { action: 'list', projectId: 'p' },
    ])
  })
})
