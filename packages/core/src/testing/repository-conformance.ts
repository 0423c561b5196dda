import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import { newLeaseToken, newMasterVideoId } from '../record/ids.js'
import type { MasterVideo, MasterVideoStatus, NewMasterVideo } from '../record/master-video.js'
import type { Lease, Repository } from '../repository/repository.js'

/** What the suite reads straight from storage, bypassing the adapter's own mapping. */
export interface InspectedRecord {
  status: MasterVideoStatus
  attempts: number
  progress: number
  leaseToken: string | null
}

/** Options of {@link repositoryConformance}. */
export interface RepositoryConformanceOptions {
  /** Shown in the test names. */
  name?: string
  /** A fresh, empty repository for each test. */
  create: () => Repository | Promise<Repository>
  /** Called after each test with the repository it used (default: `close()`). */
  cleanup?: (repository: Repository) => void | Promise<void>
  /**
   * The "backdoor": reads a job straight from storage (a raw `SELECT`), so the
   * suite checks what was really stored rather than what the adapter returned.
   */
  inspect?: (repository: Repository, id: string) => Promise<InspectedRecord | null>
  /** The short lease used by the expiry tests, in ms. Default 150. */
  leaseMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A valid {@link NewMasterVideo} with unique id; override any field. */
export function newJob(overrides: Partial<NewMasterVideo> = {}): NewMasterVideo {
  return {
    id: newMasterVideoId(),
    projectId: 'project-1',
    name: 'master',
    shots: [{ assetId: 'a.mp4' }, { assetId: 'b.mp4', trimStart: 0.5, trimEnd: 1.5 }],
    maxAttempts: 3,
    encoding: {},
    idempotencyKey: null,
    runAt: new Date(Date.now() - 1),
    ...overrides,
  }
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, `expected a ${code} error`).not.toBeNull()
  expect(isMasterVideoError(error), `expected a MasterVideoError, got ${String(error)}`).toBe(true)
  expect((error as { code: string }).code).toBe(code)
}

const output = { key: 'k.mp4', size: 10, durationSec: 2, width: 320, height: 240, strategy: 'copy' as const }

/**
 * Registers vitest tests that check a {@link Repository} keeps every
 * obligation of the interface: each transition and each refusal, idempotency,
 * newest-first pagination, lease fencing and expiry, and exactly-once claims
 * under concurrency. Run it from the adapter's own test file.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryConformance } from '@mastervideo/core/testing'
 *
 * repositoryConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryConformance(options: RepositoryConformanceOptions): void {
  const leaseMs = options.leaseMs ?? 150
  let repo: Repository

  async function claimOne(workerId = 'w1', ms = 30_000): Promise<{ record: MasterVideo; lease: Lease }> {
    const claimed = await repo.claim({ workerId, leaseToken: newLeaseToken(), leaseMs: ms })
    expect(claimed, 'expected a job to be claimed').not.toBeNull()
    return claimed as { record: MasterVideo; lease: Lease }
  }

  async function stored(id: string): Promise<InspectedRecord | null> {
    if (options.inspect) return options.inspect(repo, id)
    const record = await repo.get(id)
    return (
      record && {
        status: record.status,
        attempts: record.attempts,
        progress: record.progress,
        leaseToken: record.leaseToken,
      }
    )
  }

  describe(`repository conformance: ${options.name ?? 'repository'}`, () => {
    beforeEach(async () => {
      repo = await options.create()
    })
    afterEach(async () => {
      await (options.cleanup ? options.cleanup(repo) : repo.close?.())
    })

    describe('create and get', () => {
      it('stores a created job and returns it by id, with every field', async () => {
        const input = newJob({ encoding: { strategy: 'reencode', crf: 20 } })
        const { record, created } = await repo.create(input)
        expect(created).toBe(true)
        expect(record).toMatchObject({
          id: input.id,
          projectId: input.projectId,
          name: input.name,
          shots: input.shots,
          status: 'created',
          progress: 0,
          attempts: 0,
          maxAttempts: 3,
          leaseOwner: null,
          leaseToken: null,
          leaseExpiresAt: null,
          error: null,
          output: null,
          thumbnailKey: null,
          encoding: { strategy: 'reencode', crf: 20 },
          idempotencyKey: null,
          startedAt: null,
          completedAt: null,
        })
        expect(record.createdAt).toBeInstanceOf(Date)
        expect(record.runAt.getTime()).toBe((input.runAt as Date).getTime())
        expect(await repo.get(input.id)).toEqual(record)
        expect((await stored(input.id))?.status).toBe('created')
      })

      it('without runAt, the job is due at once, by the repository clock', async () => {
        const { runAt: _omitted, ...input } = newJob()
        const { record } = await repo.create(input)
        expect(record.runAt.getTime()).toBe(record.createdAt.getTime())
        expect((await claimOne()).record.id).toBe(input.id)
      })

      it('returns null for an unknown id', async () => {
        expect(await repo.get('master_0_unknown0')).toBeNull()
      })

      it('round-trips hostile strings exactly', async () => {
        const hostile = `qu'o"te \\ back; DROP TABLE x;-- \u0000nul 😀 Кириллица ${'x'.repeat(10_000)}`
        const input = newJob({
          name: hostile,
          shots: [{ assetId: hostile }, { assetId: '../../etc/passwd' }],
        })
        await repo.create(input)
        const record = await repo.get(input.id)
        expect(record?.name).toBe(hostile)
        expect(record?.shots).toEqual(input.shots)
      })

      it('returns copies: mutating a returned record changes nothing stored', async () => {
        const input = newJob()
        const { record } = await repo.create(input)
        record.name = 'changed'
        record.shots.push({ assetId: 'extra' })
        const again = await repo.get(input.id)
        expect(again?.name).toBe('master')
        expect(again?.shots).toHaveLength(2)
      })

      it('returns the existing job for a repeated idempotency key in the same project', async () => {
        const first = await repo.create(newJob({ idempotencyKey: 'key-1' }))
        const second = await repo.create(newJob({ idempotencyKey: 'key-1', name: 'other' }))
        expect(second.created).toBe(false)
        expect(second.record.id).toBe(first.record.id)
        expect(second.record.name).toBe('master')
        const other = await repo.create(newJob({ idempotencyKey: 'key-1', projectId: 'project-2' }))
        expect(other.created).toBe(true)
      })

      it('creates one job for concurrent creates with one idempotency key', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => repo.create(newJob({ idempotencyKey: 'same' }))),
        )
        expect(new Set(results.map((r) => r.record.id)).size).toBe(1)
        expect(results.filter((r) => r.created)).toHaveLength(1)
      })
    })

    describe('list', () => {
      it('pages newest first, every job exactly once, with a status filter', async () => {
        const ids: string[] = []
        for (let i = 0; i < 7; i++) {
          ids.push((await repo.create(newJob({ name: `n${i}` }))).record.id)
          await sleep(2)
        }
        await repo.create(newJob({ projectId: 'elsewhere' }))
        const seen: string[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const page = await repo.list({ projectId: 'project-1', limit: 3, cursor })
          expect(page.items.length).toBeLessThanOrEqual(3)
          seen.push(...page.items.map((r) => r.id))
          cursor = page.nextCursor
          pages++
        } while (cursor && pages < 10)
        expect(seen).toEqual([...ids].reverse())
        expect(pages).toBe(3)

        await repo.cancel(ids[2] as string)
        const canceled = await repo.list({ projectId: 'project-1', status: 'canceled' })
        expect(canceled.items.map((r) => r.id)).toEqual([ids[2]])
        expect(canceled.nextCursor).toBeNull()
      })

      it('orders jobs created in the same millisecond by id, without skipping any', async () => {
        for (let i = 0; i < 5; i++) await repo.create(newJob({ id: `master_1_same000${i}` }))
        const seen: string[] = []
        let cursor: string | null = null
        do {
          const page = await repo.list({ projectId: 'project-1', limit: 2, cursor })
          seen.push(...page.items.map((r) => r.id))
          cursor = page.nextCursor
        } while (cursor)
        expect(new Set(seen).size).toBe(5)
        expect(seen.length).toBe(5)
      })

      it('refuses a cursor it did not make', async () => {
        await expectCode(repo.list({ projectId: 'project-1', cursor: 'not-a-cursor' }), 'VALIDATION')
      })
    })

    describe('claim', () => {
      it('moves the oldest due job to processing under a fresh lease', async () => {
        const older = await repo.create(newJob({ runAt: new Date(Date.now() - 1000) }))
        await repo.create(newJob())
        await repo.create(newJob({ runAt: new Date(Date.now() + 60_000) }))
        const token = newLeaseToken()
        const claimed = await repo.claim({ workerId: 'w1', leaseToken: token, leaseMs: 30_000 })
        expect(claimed?.record.id).toBe(older.record.id)
        expect(claimed?.lease).toEqual({ id: older.record.id, token, workerId: 'w1' })
        expect(claimed?.record).toMatchObject({
          status: 'processing',
          attempts: 1,
          leaseOwner: 'w1',
          leaseToken: token,
        })
        expect(claimed?.record.startedAt).toBeInstanceOf(Date)
        expect(claimed?.record.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 20_000)
        expect(await stored(older.record.id)).toMatchObject({
          status: 'processing',
          attempts: 1,
          leaseToken: token,
        })
      })

      it('returns null when nothing is due (future runAt, or all taken)', async () => {
        await repo.create(newJob({ runAt: new Date(Date.now() + 60_000) }))
        expect(await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 1000 })).toBeNull()
      })

      it('gives one job to exactly one of many concurrent claimers', async () => {
        const { record } = await repo.create(newJob())
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            repo.claim({ workerId: `w${i}`, leaseToken: newLeaseToken(), leaseMs: 30_000 }),
          ),
        )
        const winners = results.filter((r) => r !== null)
        expect(winners).toHaveLength(1)
        expect(winners[0]?.record.id).toBe(record.id)
      })

      it('hands 30 jobs to 10 racing claimers, each exactly once', async () => {
        for (let i = 0; i < 30; i++) await repo.create(newJob())
        const got: string[] = []
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            for (;;) {
              const c = await repo.claim({ workerId: `w${i}`, leaseToken: newLeaseToken(), leaseMs: 30_000 })
              if (!c) return
              got.push(c.record.id)
            }
          }),
        )
        expect(got).toHaveLength(30)
        expect(new Set(got).size).toBe(30)
      })

      it('takes a job whose lease expired, with a new token, and fences the old holder', async () => {
        const { record } = await repo.create(newJob())
        const first = await claimOne('dead', leaseMs)
        expect(await repo.claim({ workerId: 'w2', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
        await sleep(leaseMs + 50)
        const second = await claimOne('w2')
        expect(second.record.id).toBe(record.id)
        expect(second.record.attempts).toBe(2)
        expect(second.lease.token).not.toBe(first.lease.token)
        // The frozen worker wakes up: every write it tries is refused.
        const beat = await repo.heartbeat(first.lease, { leaseMs, progress: 0.9 })
        expect(beat).toMatchObject({ ok: false, reason: 'lease_lost' })
        await expectCode(repo.complete(first.lease, { output, thumbnailKey: null }), 'LEASE_LOST')
        await expectCode(repo.fail(first.lease, { code: 'TRANSCODE_FAILED', message: 'x' }), 'LEASE_LOST')
        await expectCode(repo.release(first.lease), 'LEASE_LOST')
        expect(await stored(record.id)).toMatchObject({
          status: 'processing',
          leaseToken: second.lease.token,
        })
      })
    })

    describe('heartbeat', () => {
      it('renews the lease and stores progress', async () => {
        await repo.create(newJob())
        const { record, lease } = await claimOne('w1', leaseMs)
        await sleep(leaseMs / 2)
        const beat = await repo.heartbeat(lease, { leaseMs: 30_000, progress: 0.4 })
        expect(beat.ok).toBe(true)
        if (beat.ok) {
          expect(beat.record.progress).toBeCloseTo(0.4)
          expect(beat.record.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 20_000)
        }
        expect((await stored(record.id))?.progress).toBeCloseTo(0.4)
        await sleep(leaseMs)
        // Renewed: not claimable although the first lease would have expired.
        expect(await repo.claim({ workerId: 'w2', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
      })

      it('tells the worker when its job was canceled, writing nothing', async () => {
        const { record } = await repo.create(newJob())
        const { lease } = await claimOne()
        await repo.cancel(record.id)
        expect(await repo.heartbeat(lease, { leaseMs, progress: 0.5 })).toMatchObject({
          ok: false,
          reason: 'canceled',
        })
        expect(await stored(record.id)).toMatchObject({ status: 'canceled', leaseToken: null })
      })

      it('tells the worker its lease is lost when the job was deleted', async () => {
        const { record } = await repo.create(newJob())
        const { lease } = await claimOne()
        await repo.delete(record.id)
        expect(await repo.heartbeat(lease, { leaseMs })).toMatchObject({ ok: false, reason: 'lease_lost' })
      })
    })

    describe('transitions', () => {
      it('complete: processing -> completed with the output, lease cleared', async () => {
        const { record } = await repo.create(newJob())
        const { lease } = await claimOne()
        const done = await repo.complete(lease, { output, thumbnailKey: 'k.jpg' })
        expect(done).toMatchObject({
          status: 'completed',
          progress: 1,
          output,
          thumbnailKey: 'k.jpg',
          leaseToken: null,
        })
        expect(done.completedAt).toBeInstanceOf(Date)
        expect(await repo.get(record.id)).toEqual(done)
        await expectCode(repo.complete(lease, { output, thumbnailKey: null }), 'LEASE_LOST')
      })

      it('fail with retryAt: processing -> created, attempts kept, error stored, not due before retryAt', async () => {
        const { record } = await repo.create(newJob())
        const { lease } = await claimOne()
        const retryAt = new Date(Date.now() + 60_000)
        const back = await repo.fail(lease, { code: 'TIMEOUT', message: 'slow' }, { retryAt })
        expect(back).toMatchObject({
          status: 'created',
          attempts: 1,
          error: { code: 'TIMEOUT', message: 'slow' },
        })
        expect(back.runAt.getTime()).toBe(retryAt.getTime())
        expect(await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
        expect((await stored(record.id))?.status).toBe('created')
      })

      it('fail without retryAt: processing -> failed', async () => {
        await repo.create(newJob())
        const { lease } = await claimOne()
        const failed = await repo.fail(lease, { code: 'INPUT_INVALID', message: 'bad clip' })
        expect(failed).toMatchObject({
          status: 'failed',
          error: { code: 'INPUT_INVALID', message: 'bad clip' },
        })
        expect(failed.leaseToken).toBeNull()
      })

      it('release: processing -> created without using up the attempt', async () => {
        const { record } = await repo.create(newJob())
        const { lease } = await claimOne()
        const back = await repo.release(lease)
        expect(back).toMatchObject({ status: 'created', attempts: 0, leaseToken: null })
        const again = await claimOne()
        expect(again.record).toMatchObject({ id: record.id, attempts: 1 })
      })

      it('retry: failed or canceled -> created with attempts reset; refused from other statuses', async () => {
        const { record } = await repo.create(newJob())
        await expectCode(repo.retry(record.id), 'ILLEGAL_TRANSITION')
        const { lease } = await claimOne()
        await expectCode(repo.retry(record.id), 'ILLEGAL_TRANSITION')
        await repo.fail(lease, { code: 'TRANSCODE_FAILED', message: 'x' })
        const retried = await repo.retry(record.id)
        expect(retried).toMatchObject({ status: 'created', attempts: 0, error: null, progress: 0 })
        await repo.cancel(record.id)
        expect((await repo.retry(record.id)).status).toBe('created')
        const c = await claimOne()
        await repo.complete(c.lease, { output, thumbnailKey: null })
        await expectCode(repo.retry(record.id), 'ILLEGAL_TRANSITION')
        await expectCode(repo.retry('master_0_missing0'), 'NOT_FOUND')
      })

      it('cancel: created or processing -> canceled; refused when final', async () => {
        const a = await repo.create(newJob())
        expect((await repo.cancel(a.record.id)).status).toBe('canceled')
        await expectCode(repo.cancel(a.record.id), 'ILLEGAL_TRANSITION')
        const b = await repo.create(newJob())
        const { lease } = await claimOne()
        const canceled = await repo.cancel(b.record.id)
        expect(canceled).toMatchObject({ status: 'canceled', leaseToken: null })
        await expectCode(repo.complete(lease, { output, thumbnailKey: null }), 'LEASE_LOST')
        await expectCode(repo.cancel('master_0_missing0'), 'NOT_FOUND')
        expect((await stored(b.record.id))?.status).toBe('canceled')
      })

      it('a canceled job is never claimed', async () => {
        const { record } = await repo.create(newJob())
        await repo.cancel(record.id)
        expect(await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs })).toBeNull()
      })

      it('delete removes the job in any status and returns it', async () => {
        const { record } = await repo.create(newJob())
        await claimOne()
        const deleted = await repo.delete(record.id)
        expect(deleted?.id).toBe(record.id)
        expect(await repo.get(record.id)).toBeNull()
        expect(await stored(record.id)).toBeNull()
        expect(await repo.delete(record.id)).toBeNull()
      })
    })
  })
}
