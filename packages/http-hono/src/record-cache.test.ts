import type { MasterVideo, MasterVideoStatus } from '@mastervideo/core'
import { describe, expect, it } from 'vitest'
import { recordCache } from './record-cache.js'

const record = (id: string, status: MasterVideoStatus = 'completed', projectId = 'p1') =>
  ({ id, projectId, status }) as MasterVideo

function loader(result: MasterVideo) {
  let calls = 0
  const load = async () => {
    calls++
    return result
  }
  return { load, calls: () => calls }
}

describe('recordCache', () => {
  it('serves a completed record from memory until maxAgeMs after it was read', async () => {
    let time = 0
    const cache = recordCache({ maxAgeMs: 1000 }, () => time)
    const { load, calls } = loader(record('a'))
    await cache.get('a', 'p1', load)
    time = 999
    await cache.get('a', 'p1', load)
    expect(calls()).toBe(1)
    time = 1000
    await cache.get('a', 'p1', load)
    expect(calls()).toBe(2)
  })

  it('never keeps a record in another status', async () => {
    const cache = recordCache()
    for (const status of ['created', 'processing', 'failed', 'canceled'] as const) {
      const { load, calls } = loader(record(status, status))
      await cache.get(status, 'p1', load)
      await cache.get(status, 'p1', load)
      expect(calls()).toBe(2)
    }
    expect(cache.size).toBe(0)
  })

  it("asks load again for another project's id (which refuses it)", async () => {
    const cache = recordCache()
    await cache.get('a', 'p1', loader(record('a')).load)
    const foreign = loader(record('a'))
    await cache.get('a', 'p2', foreign.load)
    expect(foreign.calls()).toBe(1)
  })

  it('drop forgets a record, and a load that straddles a drop is not kept', async () => {
    const cache = recordCache()
    await cache.get('a', 'p1', loader(record('a')).load)
    cache.drop('a')
    expect(cache.size).toBe(0)
    let release = () => {}
    const pending = cache.get(
      'b',
      'p1',
      () => new Promise<MasterVideo>((r) => (release = () => r(record('b')))),
    )
    cache.drop('b')
    release()
    await pending
    expect(cache.size).toBe(0)
  })

  it('keeps at most maxEntries, dropping the least recently served', async () => {
    const cache = recordCache({ maxEntries: 2 })
    await cache.get('a', 'p1', loader(record('a')).load)
    await cache.get('b', 'p1', loader(record('b')).load)
    await cache.get('a', 'p1', loader(record('a')).load) // a is now the most recent
    await cache.get('c', 'p1', loader(record('c')).load)
    const a = loader(record('a'))
    const b = loader(record('b'))
    await cache.get('a', 'p1', a.load)
    await cache.get('b', 'p1', b.load)
    expect([a.calls(), b.calls()]).toEqual([0, 1])
  })

  it('refuses bounds that are not non-negative integers', () => {
    expect(() => recordCache({ maxAgeMs: -1 })).toThrow(/maxAgeMs/)
    expect(() => recordCache({ maxEntries: 1.5 })).toThrow(/maxEntries/)
  })
})
