import { mkdir, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  type ConcatRequest,
  createMasterVideos,
  directoryAssets,
  InputInvalidError,
  intervalPoller,
  localOutputStore,
  memoryRepository,
  type Repository,
  silentLogger,
  TranscodeFailedError,
} from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, harness, sleep, until } from './helpers.js'

const shots = ['a.bin', 'b.bin', 'c.bin']
// A poller that never fires within a test: anything that starts, started through the in-process wake-up.
const never = intervalPoller(3_600_000)

let h: Harness
afterEach(async () => {
  await h?.cleanup()
})

const forever = new Promise<never>(() => {})

/**
 * `base` as a worker on the far side of a network partition sees it: once
 * `hang.on` is set, heartbeat, complete, fail and release (and claim, when
 * asked) never answer. Reads still work, as they would through another path.
 */
function partitioned(base: Repository, options: { claim?: boolean } = {}) {
  const hang = { on: false }
  const calls: string[] = []
  const hangable =
    <A extends unknown[], R>(name: string, method: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls.push(name)
      return hang.on ? forever : method(...args)
    }
  const view: Repository = {
    ...base,
    heartbeat: hangable('heartbeat', base.heartbeat.bind(base)),
    complete: hangable('complete', base.complete.bind(base)),
    fail: hangable('fail', base.fail.bind(base)),
    release: hangable('release', base.release.bind(base)),
    claim: options.claim ? hangable('claim', base.claim.bind(base)) : base.claim.bind(base),
  }
  return { view, hang, calls }
}

describe('worker', () => {
  it('runs a job to completed: output committed, poster made, events in order', async () => {
    h = await harness(testTranscoder())
    h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'first', shots })
    const done = await h.mv.waitFor(job.id, { timeoutMs: 5000 })
    expect(done).toMatchObject({ status: 'completed', progress: 1, attempts: 1, error: null })
    expect(done.output).toMatchObject({
      strategy: 'copy',
      durationSec: 3,
      width: 320,
      height: 240,
      contentType: 'video/mp4',
    })
    expect(done.output?.key).toMatch(/^master_\d+_[a-z0-9]{8}_\d+\.mp4$/)
    expect((await h.outputFiles()).sort()).toEqual([done.output?.key, done.thumbnailKey].sort())
    expect(h.events).toEqual([`created:${job.id}`, `processing:${job.id}`, `completed:${job.id}`])
    const stat = await h.mv.output.stat(done.output?.key as string)
    expect(stat?.size).toBe(done.output?.size)
  })

  it('reports progress: throttled writes, monotonic, stored in the repository', async () => {
    h = await harness(testTranscoder({ durationMs: 600, steps: 12 }))
    const seen: number[] = []
    h.mv.on('progress', (e) => seen.push(e.progress))
    h.mv.worker({ poller: never, progressIntervalMs: 100 }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'progress', shots })
    let midway = 0
    await until(async () => {
      midway = (await h.mv.get(job.id)).progress
      return midway > 0
    }, 'stored progress')
    await h.mv.waitFor(job.id)
    expect(midway).toBeGreaterThan(0)
    expect(seen.length).toBeGreaterThan(1)
    // 12 reports in 600 ms, at most one write per 100 ms: fewer events than reports.
    expect(seen.length).toBeLessThan(12)
    expect([...seen].sort((a, b) => a - b)).toEqual(seen)
  })

  it('fails at once on a non-retryable error and keeps its code', async () => {
    h = await harness(testTranscoder({ failures: [new InputInvalidError('clip 2 is not a video')] }))
    h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'bad', shots })
    await expect(h.mv.waitFor(job.id)).rejects.toMatchObject({ code: 'INPUT_INVALID' })
    const record = await h.mv.get(job.id)
    expect(record).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INPUT_INVALID' } })
    expect(record.error?.message).toContain('clip 2 is not a video')
    expect(await h.outputFiles()).toEqual([])
  })

  it('stores an unexpected error as INTERNAL, its message without the server path', async () => {
    const leak = new Error("ENOENT: no such file or directory, open '/srv/private/cache/x.mp4'")
    h = await harness(testTranscoder({ failures: [leak] }))
    h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'leaky', shots, maxAttempts: 1 })
    await expect(h.mv.waitFor(job.id)).rejects.toMatchObject({ code: 'INTERNAL' })
    expect((await h.mv.get(job.id)).error).toEqual({
      code: 'INTERNAL',
      message: "ENOENT: no such file or directory, open 'x.mp4'",
    })
  })

  it('retries a retryable error with backoff and completes on the third attempt', async () => {
    const transcoder = testTranscoder({
      failures: [new TranscodeFailedError('flaky 1'), new TranscodeFailedError('flaky 2')],
    })
    h = await harness(transcoder)
    h.mv.worker({ poller: intervalPoller(10), backoff: { baseMs: 20, maxMs: 40 } }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'flaky', shots })
    const done = await h.mv.waitFor(job.id, { pollMs: 20 })
    expect(done).toMatchObject({ status: 'completed', attempts: 3, error: null })
    expect(transcoder.calls.concat).toBe(3)
    expect(h.events.filter((e) => e.startsWith('retrying'))).toHaveLength(2)
  })

  it('fails after maxAttempts retryable errors', async () => {
    const boom = () => new TranscodeFailedError('always')
    h = await harness(testTranscoder({ failures: [boom(), boom(), boom()] }))
    h.mv.worker({ poller: intervalPoller(10), backoff: { baseMs: 5, maxMs: 10 } }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'doomed', shots, maxAttempts: 2 })
    await expect(h.mv.waitFor(job.id, { pollMs: 20 })).rejects.toMatchObject({ code: 'TRANSCODE_FAILED' })
    expect(await h.mv.get(job.id)).toMatchObject({ status: 'failed', attempts: 2 })
  })

  it('refuses an asset id with ../ with ASSET_NOT_FOUND: at create, since directoryAssets has exists', async () => {
    const transcoder = testTranscoder()
    h = await harness(transcoder)
    h.mv.worker({ poller: never }).start()
    await expect(
      h.mv.create({ projectId: 'p', name: 'escape', shots: ['a.bin', '../../../etc/passwd'] }),
    ).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' })
    expect(transcoder.calls.concat).toBe(0)
  })

  it('takes over a job whose worker died after claiming it, once the lease expires', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'orphan', shots })
    // The "killed" worker: it claimed the job and then never heartbeated again.
    const dead = await h.repository.claim({ workerId: 'dead', leaseToken: newLeaseToken(), leaseMs: 100 })
    expect(dead?.record.id).toBe(job.id)
    h.mv.worker({ poller: intervalPoller(20) }).start()
    const done = await h.mv.waitFor(job.id, { pollMs: 20 })
    expect(done).toMatchObject({ status: 'completed', attempts: 2 })
    expect(done.leaseOwner).toBeNull()
  })

  it('fails a job with LEASE_EXPIRED when its workers died on every attempt', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'crasher', shots, maxAttempts: 2 })
    for (let i = 0; i < 2; i++) {
      await h.repository.claim({ workerId: `dead-${i}`, leaseToken: newLeaseToken(), leaseMs: 30 })
      await sleep(40)
    }
    h.mv.worker({ poller: intervalPoller(20) }).start()
    await expect(h.mv.waitFor(job.id, { pollMs: 20 })).rejects.toMatchObject({ code: 'LEASE_EXPIRED' })
  })

  it('refuses the writes of a worker that froze past its lease while another completed the job', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const base = memoryRepository()
    let frozen = false
    const answers: string[] = []
    // Worker A's view of the repository: once "frozen", its heartbeats only return when it thaws.
    const frozenView: Repository = {
      ...base,
      heartbeat: async (lease, update) => {
        if (frozen) await gate
        const result = await base.heartbeat(lease, update)
        answers.push(result.ok ? 'ok' : result.reason)
        return result
      },
    }
    const slow = testTranscoder({ durationMs: 50 })
    const slowConcat = slow.concat
    const transcoderA = {
      ...slow,
      concat: async (request: ConcatRequest) => {
        frozen = true
        await gate
        return slowConcat(request)
      },
    }
    h = await harness(transcoderA, frozenView)
    const a = h.mv.worker({ workerId: 'A', poller: never, leaseMs: 100, heartbeatMs: 30 }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'contested', shots })
    await until(() => a.running === 1, 'worker A to start')

    // Worker B shares the storage but not the freeze.
    const second = await harness(testTranscoder(), base)
    try {
      second.mv.worker({ workerId: 'B', poller: intervalPoller(20), leaseMs: 5000 }).start()
      const done = await second.mv.waitFor(job.id, { pollMs: 20 })
      expect(done).toMatchObject({ status: 'completed', attempts: 2 })

      // A wakes up: its late progress write is refused, it stops, and leaves no file behind.
      release()
      await until(() => a.running === 0, 'worker A to give up')
      expect(answers).toContain('lease_lost')
      const record = await base.get(job.id)
      expect(record?.output?.key).toBe(done.output?.key)
      expect(record?.status).toBe('completed')
      expect(await h.outputFiles()).toEqual([])
      expect(h.events).not.toContain(`completed:${job.id}`)
    } finally {
      await second.cleanup()
    }
  })

  it('cancel during a transcode aborts it: signal fired, status canceled, no output left', async () => {
    let signal: AbortSignal | undefined
    const transcoder = testTranscoder({
      durationMs: 5000,
      onConcatStart: (_call, request) => {
        signal = request.signal
      },
    })
    h = await harness(transcoder)
    const worker = h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'stop me', shots })
    await until(() => signal !== undefined, 'the transcode to start')
    await h.mv.cancel(job.id)
    await until(() => worker.running === 0, 'the worker to let go')
    expect(signal?.aborted).toBe(true)
    expect(transcoder.running).toBe(0)
    expect(await h.mv.get(job.id)).toMatchObject({ status: 'canceled', error: { code: 'CANCELED' } })
    expect(await h.outputFiles()).toEqual([])
    expect(h.events.filter((e) => e === `canceled:${job.id}`)).toHaveLength(1)
    await expect(h.mv.waitFor(job.id)).rejects.toMatchObject({ code: 'CANCELED' })
  })

  it('a cancel made elsewhere (straight in the repository) reaches the worker through its heartbeat', async () => {
    const transcoder = testTranscoder({ durationMs: 5000 })
    h = await harness(transcoder)
    const worker = h.mv.worker({ poller: never, leaseMs: 300, heartbeatMs: 50 }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'remote cancel', shots })
    await until(() => transcoder.running === 1, 'the transcode to start')
    await h.repository.cancel(job.id)
    await until(() => worker.running === 0, 'the worker to notice')
    expect(transcoder.running).toBe(0)
    expect(h.events).toContain(`canceled:${job.id}`)
    expect(await h.outputFiles()).toEqual([])
  })

  it('aborts a job past its time limit with TIMEOUT', async () => {
    h = await harness(testTranscoder({ durationMs: 5000 }))
    h.mv.worker({ poller: never, jobTimeoutMs: 100 }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'slow', shots, maxAttempts: 1 })
    await expect(h.mv.waitFor(job.id)).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(await h.outputFiles()).toEqual([])
  })

  it('stop() with a short grace period releases a running job back to created, attempt not counted', async () => {
    const transcoder = testTranscoder({ durationMs: 1000 })
    h = await harness(transcoder)
    const worker = h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'shutdown', shots })
    await until(() => transcoder.running === 1, 'the transcode to start')
    await worker.stop({ graceMs: 50 })
    expect(worker.running).toBe(0)
    expect(transcoder.running).toBe(0)
    expect(await h.mv.get(job.id)).toMatchObject({ status: 'created', attempts: 0, leaseOwner: null })
    expect(await h.outputFiles()).toEqual([])
    // Not lost: the next worker finishes it.
    h.mv.worker({ poller: intervalPoller(20) }).start()
    expect(await h.mv.waitFor(job.id)).toMatchObject({ status: 'completed', attempts: 1 })
  })

  it('stop() lets a job that finishes within the grace period complete', async () => {
    const transcoder = testTranscoder({ durationMs: 150 })
    h = await harness(transcoder)
    const worker = h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'graceful', shots })
    await until(() => transcoder.running === 1, 'the transcode to start')
    await worker.stop({ graceMs: 5000 })
    expect(await h.mv.get(job.id)).toMatchObject({ status: 'completed' })
  })

  it('runs jobs concurrently up to its concurrency, each exactly once', async () => {
    const transcoder = testTranscoder({ durationMs: 100 })
    let peak = 0
    const probe = setInterval(() => {
      peak = Math.max(peak, transcoder.running)
    }, 5)
    h = await harness(transcoder)
    h.mv.worker({ poller: never, concurrency: 3 }).start()
    const jobs = await Promise.all(
      Array.from({ length: 9 }, (_, i) => h.mv.create({ projectId: 'p', name: `n${i}`, shots })),
    )
    const done = await Promise.all(jobs.map((job) => h.mv.waitFor(job.id)))
    clearInterval(probe)
    expect(done.every((d) => d.attempts === 1)).toBe(true)
    expect(transcoder.calls.concat).toBe(9)
    expect(peak).toBe(3)
  })

  it('still completes the job when the poster frame fails', async () => {
    const transcoder = testTranscoder()
    transcoder.thumbnail = async () => {
      throw new Error('no poster today')
    }
    h = await harness(transcoder)
    h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'posterless', shots })
    const done = await h.mv.waitFor(job.id)
    expect(done.thumbnailKey).toBeNull()
    expect(await h.outputFiles()).toEqual([done.output?.key])
  })

  it('a hung heartbeat: the worker stops its transcode before the lease lapses; the next worker never overlaps it', async () => {
    const base = memoryRepository()
    const { view, hang } = partitioned(base)
    // Each attempt's transcode, as [worker, start, end] on one clock.
    const spans: Array<{ who: string; start: number; end: number }> = []
    const timed = (who: string, durationMs: number) => {
      const inner = testTranscoder({ durationMs })
      const concat = inner.concat
      return Object.assign(inner, {
        concat: async (request: ConcatRequest) => {
          const span = { who, start: performance.now(), end: Number.POSITIVE_INFINITY }
          spans.push(span)
          if (who === 'A') hang.on = true
          try {
            return await concat(request)
          } finally {
            span.end = performance.now()
          }
        },
      })
    }
    const transcoderA = timed('A', 60_000)
    h = await harness(transcoderA, view)
    const a = h.mv.worker({ workerId: 'A', poller: never, leaseMs: 400, heartbeatMs: 80 }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'partitioned', shots })
    await until(() => transcoderA.running === 1, 'worker A to start')
    const claimed = await base.get(job.id)
    const lapses = claimed?.leaseExpiresAt?.getTime() as number

    // A gives up by its own clock: nothing answered, yet its transcode stops before the lease lapses.
    await until(() => transcoderA.running === 0, 'worker A to stop its transcode')
    expect(Date.now()).toBeLessThan(lapses)
    expect((await base.get(job.id))?.status).toBe('processing')

    const second = await harness(timed('B', 20), base)
    try {
      second.mv.worker({ workerId: 'B', poller: intervalPoller(20), leaseMs: 5000 }).start()
      const done = await second.mv.waitFor(job.id, { pollMs: 20 })
      expect(done).toMatchObject({ status: 'completed', attempts: 2 })
      const [spanA, spanB] = spans
      expect(spans.map((span) => span.who)).toEqual(['A', 'B'])
      expect(spanA?.end).toBeLessThan(spanB?.start as number)
      // A's stop() returns although its final write hangs.
      const t0 = performance.now()
      await a.stop({ graceMs: 50 })
      expect(performance.now() - t0).toBeLessThan(50 + 5000 + 500)
      expect(a.running).toBe(0)
    } finally {
      await second.cleanup()
    }
  })

  it('stop() is bounded by its grace period when heartbeat, complete and release all hang', async () => {
    const base = memoryRepository()
    const { view, hang, calls } = partitioned(base, { claim: true })
    const transcoder = testTranscoder({ durationMs: 60_000 })
    h = await harness(transcoder, view)
    const worker = h.mv
      .worker({ poller: never, leaseMs: 60_000, heartbeatMs: 50, stopTimeoutMs: 300 })
      .start()
    const job = await h.mv.create({ projectId: 'p', name: 'hung', shots })
    await until(() => transcoder.running === 1, 'the transcode to start')
    hang.on = true
    const before = calls.length
    await until(() => calls.slice(before).includes('heartbeat'), 'a heartbeat to hang')
    await h.mv.create({ projectId: 'p', name: 'second, never claimed', shots })
    const t0 = performance.now()
    await worker.stop({ graceMs: 200 })
    const took = performance.now() - t0
    expect(took).toBeGreaterThanOrEqual(190)
    expect(took).toBeLessThan(200 + 300 + 400)
    // The transcode itself was stopped; the release hangs, so the lease will return the job.
    expect(transcoder.running).toBe(0)
    expect(calls).toContain('release')
    expect((await base.get(job.id))?.status).toBe('processing')
    expect(await h.outputFiles()).toEqual([])
  })

  it('a claim that hangs does not hold stop(); when it answers late, its job goes straight back', async () => {
    const base = memoryRepository()
    let answer: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      answer = resolve
    })
    let claims = 0
    let released = 0
    const view: Repository = {
      ...base,
      claim: async (options) => {
        claims++
        await gate
        return base.claim(options)
      },
      release: async (lease) => {
        const record = await base.release(lease)
        released++
        return record
      },
    }
    const transcoder = testTranscoder()
    h = await harness(transcoder, view)
    const worker = h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'late claim', shots })
    await until(() => claims > 0, 'a claim to be sent')
    const t0 = performance.now()
    await worker.stop({ graceMs: 100 })
    expect(performance.now() - t0).toBeLessThan(1000)
    answer()
    // The late claim took the job; the stopped worker hands it back without running it.
    await until(() => released === 1, 'the release')
    expect(claims).toBe(1)
    expect(await base.get(job.id)).toMatchObject({ status: 'created', attempts: 0, leaseOwner: null })
    expect(transcoder.calls.concat).toBe(0)
  })

  it('a complete that never answers is abandoned after writeTimeoutMs; the job is retried and completed once', async () => {
    const base = memoryRepository()
    let completes = 0
    // The first complete() is sent into a partition and never answers (nor lands).
    const view: Repository = {
      ...base,
      complete: (lease, outcome) => (++completes === 1 ? forever : base.complete(lease, outcome)),
    }
    const transcoder = testTranscoder({ durationMs: 20 })
    h = await harness(transcoder, view)
    h.mv
      .worker({
        poller: intervalPoller(20),
        leaseMs: 2000,
        writeTimeoutMs: 150,
        backoff: { baseMs: 10, maxMs: 10 },
      })
      .start()
    const job = await h.mv.create({ projectId: 'p', name: 'lost reply', shots })
    const t0 = performance.now()
    const done = await h.mv.waitFor(job.id, { pollMs: 20 })
    // Given up after 150 ms rather than waiting out the 2 s lease.
    expect(performance.now() - t0).toBeLessThan(1500)
    expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null })
    expect(h.events.filter((e) => e.startsWith('retrying'))).toHaveLength(1)
    // The first attempt's files were provably not named by the record (it read "processing"): removed.
    expect((await h.outputFiles()).sort()).toEqual([done.output?.key, done.thumbnailKey].sort())
  })

  it('a full disk at commit ends NO_SPACE, is retried later, and nothing half-written is left', async () => {
    const transcoder = testTranscoder({ durationMs: 20 })
    h = await harness(transcoder)
    const store = localOutputStore(h.outputDir)
    let full = true
    const fullDisk = {
      ...store,
      async prepare(key: string) {
        const pending = await store.prepare(key)
        return {
          ...pending,
          async commit() {
            if (!full) return pending.commit()
            // What the kernel says once the disk fills up mid-write.
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
          },
        }
      },
    }
    const mv = createMasterVideos({
      repository: h.repository,
      transcoder,
      assets: directoryAssets(path.join(h.root, 'assets')),
      output: fullDisk,
    })
    const retrying: string[] = []
    mv.on('retrying', (record) => retrying.push(record.error?.code ?? ''))
    try {
      mv.worker({ poller: intervalPoller(20), backoff: { baseMs: 300, maxMs: 300 } }).start()
      const job = await mv.create({ projectId: 'p', name: 'disk full', shots })
      await until(() => retrying.length === 1, 'the first attempt to fail')
      expect(retrying).toEqual(['NO_SPACE'])
      const waiting = await mv.get(job.id)
      expect(waiting).toMatchObject({ status: 'created', attempts: 1, error: { code: 'NO_SPACE' } })
      expect(waiting.runAt.getTime()).toBeGreaterThan(Date.now())
      // Nothing visible, nothing hidden: the temporary files went with the failed attempt.
      expect(await h.outputFiles()).toEqual([])
      full = false
      const done = await mv.waitFor(job.id, { pollMs: 20 })
      expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null })
      expect((await h.outputFiles()).sort()).toEqual([done.output?.key, done.thumbnailKey].sort())
    } finally {
      await mv.close({ graceMs: 0 })
    }
  })

  it('sweeps old leftovers of crashed runs at start, and only old ones', async () => {
    const transcoder = Object.assign(testTranscoder(), {
      sweep: async (olderThanMs: number) => [`scratch older than ${olderThanMs}`],
    })
    h = await harness(transcoder)
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60_000)
    await mkdir(h.outputDir, { recursive: true })
    const old = [
      '.tmp-abcdefghij-master_1_abcdefgh_1.mp4',
      '..tmp-abcdefghij-master_1_abcdefgh_1.mp4.0a1b2c3d4e5f.partial',
    ]
    const fresh = ['.tmp-klmnopqrst-master_2_abcdefgh_2.mp4', 'master_0_abcdefgh_0.mp4']
    for (const name of [...old, ...fresh]) await writeFile(path.join(h.outputDir, name), 'x')
    for (const name of [...old, 'master_0_abcdefgh_0.mp4']) {
      await utimes(path.join(h.outputDir, name), hoursAgo, hoursAgo)
    }
    const logged: unknown[] = []
    const logger = { ...silentLogger, info: (...args: unknown[]) => logged.push(args) }
    h.mv.worker({ poller: never, logger }).start()
    await until(async () => (await h.outputFiles()).length === fresh.length, 'the sweep')
    expect((await h.outputFiles()).sort()).toEqual([...fresh].sort())
    await until(() => JSON.stringify(logged).includes('scratch older than 3600000'), 'the transcoder sweep')
    expect(JSON.stringify(logged)).toContain(old[0])
  })
})
