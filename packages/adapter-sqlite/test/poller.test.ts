import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newJob } from '@mastervideo/core/testing'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { type SqliteRepository, sqlitePoller, sqliteRepository } from '../src/index.js'

let dir: string
let n = 0
let writer: SqliteRepository
let file: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-poller-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => {
  file = path.join(dir, `p-${n++}.sqlite`)
  writer = sqliteRepository({ filename: file })
  vi.useFakeTimers()
})
afterEach(async () => {
  vi.useRealTimers()
  await writer.close()
})

describe.each(['database', 'filename'] as const)('sqlitePoller with a %s', (kind) => {
  it('wakes when another connection commits, stays quiet otherwise, and fully wakes every N intervals', async () => {
    // The watcher is a different connection than the writer: as a worker in another process.
    const watcher = kind === 'database' ? new Database(file) : null
    const poller = sqlitePoller({
      ...(watcher ? { database: watcher } : { filename: file }),
      intervalMs: 100,
      fullWakeEvery: 5,
    })
    const wake = vi.fn()
    const stop = poller.start(wake)

    vi.advanceTimersByTime(100 * 3)
    expect(wake).toHaveBeenCalledTimes(0) // nothing written: no wake-up

    await writer.create(newJob())
    vi.advanceTimersByTime(100)
    expect(wake).toHaveBeenCalledTimes(1) // the write is seen at the next look

    vi.advanceTimersByTime(100 * 4)
    expect(wake).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(100)
    expect(wake).toHaveBeenCalledTimes(2) // the full wake, 5 intervals after the last wake

    stop()
    await writer.create(newJob())
    vi.advanceTimersByTime(100 * 20)
    expect(wake).toHaveBeenCalledTimes(2) // stopped means stopped
    watcher?.close()
  })
})

describe('sqlitePoller options', () => {
  it('refuses a file that does not exist, and bad intervals', () => {
    expect(() => sqlitePoller({ filename: path.join(dir, 'none.sqlite') })).toThrow(
      expect.objectContaining({ code: 'STORAGE' }),
    )
    expect(() => sqlitePoller({ filename: file, intervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
    expect(() => sqlitePoller({ filename: file, fullWakeEvery: 0.5 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
  })

  it('wakes at every interval when its connection fails, so the worker surfaces the error', () => {
    const watcher = new Database(file)
    const poller = sqlitePoller({ database: watcher, intervalMs: 100, fullWakeEvery: 50 })
    const wake = vi.fn()
    const stop = poller.start(wake)
    watcher.close()
    vi.advanceTimersByTime(300)
    expect(wake).toHaveBeenCalledTimes(3)
    stop()
  })
})
