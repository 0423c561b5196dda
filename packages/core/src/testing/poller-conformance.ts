import { afterEach, describe, expect, it } from 'vitest'
import type { Poller } from '../poller/poller.js'
import { sleep } from './expect-code.js'
import { type ResourceWatch, trackResources } from './resource-watch.js'

/** Options of {@link pollerConformance}. */
export interface PollerConformanceOptions {
  /** Shown in the test names. */
  name?: string
  /** A fresh poller, configured to wake at least every {@link intervalMs} without any write. */
  create: () => Poller | Promise<Poller>
  /** The longest gap between two wakes that `create`'s poller promises, in ms (keep it short: 50 to 200). */
  intervalMs: number
  /**
   * For a poller that learns of new work (a NOTIFY, a changed file): checks
   * that an announced write wakes it well before its interval would.
   */
  announce?: {
    /** A poller whose interval is far longer than `withinMs`, so only the announcement can wake it in time. */
    create: () => Poller | Promise<Poller>
    /** Makes a write that announces work, from another connection (for example creates a job). */
    write: () => Promise<void>
    /** How soon after the write the wake must come, in ms. Default 1000. */
    withinMs?: number
  }
  /** Called after each test. */
  cleanup?: () => void | Promise<void>
}

/** A started poller: when it woke, how to stop it, and what it holds. */
interface Running {
  wakes: number[]
  stop: () => void
  watch: ResourceWatch
}

/**
 * Registers vitest tests that check a {@link Poller} keeps the obligations of
 * the interface: it wakes the worker at least once per interval with no write
 * at all, it never wakes it after being stopped, stopping twice is harmless,
 * a stopped poller leaves no timer or connection behind, and (with
 * `announce`) it wakes promptly when told of new work.
 *
 * @example
 * ```ts
 * import { intervalPoller } from '@mastervideo/core'
 * import { pollerConformance } from '@mastervideo/core/testing'
 *
 * pollerConformance({ name: 'interval', intervalMs: 50, create: () => intervalPoller(50) })
 * ```
 */
export function pollerConformance(options: PollerConformanceOptions): void {
  const { intervalMs } = options
  const withinMs = options.announce?.withinMs ?? 1000

  describe(`poller conformance: ${options.name ?? 'poller'}`, () => {
    const started: Running[] = []
    async function start(create: () => Poller | Promise<Poller>): Promise<Running> {
      const poller = await create()
      const wakes: number[] = []
      const watch = trackResources(() => poller.start(() => wakes.push(performance.now())))
      const running = { wakes, stop: watch.result, watch }
      started.push(running)
      return running
    }
    afterEach(async () => {
      for (const running of started.splice(0)) {
        running.stop()
        running.watch.dispose()
      }
      await options.cleanup?.()
    })

    it('wakes at least once per interval without any write', async () => {
      const begin = performance.now()
      const { wakes, stop } = await start(options.create)
      await sleep(intervalMs * 6)
      stop()
      const end = performance.now()
      // Timers run late on a busy machine: allow one more interval (at least 200 ms) of slack, no more.
      const slack = Math.max(intervalMs, 200)
      const points = [begin, ...wakes, end]
      const gaps = points.slice(1).map((at, i) => at - (points[i] as number))
      expect(wakes.length, 'wakes in six intervals').toBeGreaterThanOrEqual(3)
      expect(Math.max(...gaps), 'longest gap without a wake (ms)').toBeLessThanOrEqual(intervalMs + slack)
    })

    it('never wakes after it was stopped, and stopping twice is harmless', async () => {
      const { wakes, stop } = await start(options.create)
      await sleep(intervalMs * 2)
      stop()
      const seen = wakes.length
      expect(() => stop()).not.toThrow()
      await sleep(intervalMs * 3)
      expect(wakes.length).toBe(seen)
    })

    it('leaves no timer or connection behind once stopped', async () => {
      const { stop, watch } = await start(options.create)
      await sleep(intervalMs * 2)
      stop()
      // Closing a socket takes a few turns of the event loop; allow up to 2 s.
      for (let i = 0; i < 100 && watch.held().length > 0; i++) await sleep(20)
      expect(watch.held(), 'resources the poller still holds after stop').toEqual([])
    })

    const announce = options.announce
    if (announce) {
      it(`wakes within ${withinMs} ms of announced work`, async () => {
        const { wakes } = await start(announce.create)
        // Let it connect (a listening poller may wake once when it has).
        await sleep(Math.min(300, withinMs / 2))
        const seen = wakes.length
        const written = performance.now()
        await announce.write()
        for (let waited = 0; wakes.length === seen && waited < withinMs; waited += 10) await sleep(10)
        expect(wakes.length, `no wake within ${withinMs} ms of the write`).toBeGreaterThan(seen)
        expect((wakes[seen] as number) - written).toBeLessThanOrEqual(withinMs)
      })

      it('does not wake for work announced after it was stopped', async () => {
        const { wakes, stop } = await start(announce.create)
        await sleep(Math.min(300, withinMs / 2))
        stop()
        const seen = wakes.length
        await announce.write()
        await sleep(Math.min(withinMs, 500))
        expect(wakes.length).toBe(seen)
      })
    }
  })
}
