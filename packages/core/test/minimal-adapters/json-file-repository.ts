// A complete mastervideo repository in one JSON file, built only from
// @mastervideo/core (types) and @mastervideo/core/adapter (the state machine,
// the transition writes, the cursor helpers). docs/adapters.md walks through
// this file; minimal-adapters.test.ts runs the conformance suites on it. One
// process only: the lock is a promise chain, which another process cannot see.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { MasterVideo, Repository } from '@mastervideo/core'
import {
  applyTransition,
  clampLimit,
  clampProgress,
  decodeCursor,
  initialRecord,
  RECORD_COLUMNS,
  type TransitionRequest,
  toPage,
  transitionLanded,
  transitionMethods,
  transitionWrite,
} from '@mastervideo/core/adapter'

const ORIGIN = 'json-file-repository'

/** Every job, by id, as the file holds it. */
type Jobs = Record<string, MasterVideo>

/** The record fields JSON turns into strings, turned back into dates on reading. */
const DATE_FIELDS = RECORD_COLUMNS.filter((c) => c.kind === 'timestamp').map((c) => c.field)

function revive(record: MasterVideo): MasterVideo {
  for (const field of DATE_FIELDS) {
    const value = record[field] as unknown
    if (typeof value === 'string') Object.assign(record, { [field]: new Date(value) })
  }
  return record
}

/**
 * A {@link Repository} that keeps every job in one JSON file. Each call reads
 * the file, applies one change and writes it back (to a temporary file, then
 * renamed, so a crash never leaves half a file); calls run one at a time.
 *
 * @example
 * ```ts
 * const repository = jsonFileRepository('data/jobs.json')
 * ```
 */
export function jsonFileRepository(filename: string): Repository {
  let tail: Promise<unknown> = Promise.resolve()

  /** Runs `work` after every call before it: the lock of a single process. */
  function serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = tail.then(work)
    tail = result.catch(() => {})
    return result
  }

  async function load(): Promise<Jobs> {
    try {
      const jobs = JSON.parse(await readFile(filename, 'utf8')) as Jobs
      for (const record of Object.values(jobs)) revive(record)
      return jobs
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw error
    }
  }

  async function save(jobs: Jobs): Promise<void> {
    await mkdir(path.dirname(filename), { recursive: true })
    const temp = `${filename}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(temp, JSON.stringify(jobs))
    await rename(temp, filename)
  }

  /** Reads the jobs; what `look` returns was parsed from the file, so it is already a copy. */
  const read = <T>(look: (jobs: Jobs) => T) => serialized(async () => look(await load()))

  /** Reads, changes and writes back the jobs, as one step no other call interleaves with. */
  const write = <T>(change: (jobs: Jobs, now: Date) => T) =>
    serialized(async () => {
      const jobs = await load()
      const result = change(jobs, new Date())
      await save(jobs)
      return result
    })

  /** Stores a record and returns it (records are parsed from the file on every call, so no copy is needed). */
  function put(jobs: Jobs, record: MasterVideo): MasterVideo {
    jobs[record.id] = record
    return record
  }

  /**
   * One status change: `transitionWrite` checks the lease (or that the job
   * exists) and the status, and computes the new record. Under the lock
   * nobody writes between the read and this, so the compare-and-set it plans
   * always holds here; a SQL repository puts `expected` in its WHERE.
   */
  const change = (request: TransitionRequest) =>
    write((jobs, now) => {
      const current = jobs[request.id] ?? null
      // A complete repeated after its reply was lost is already stored: that is its answer.
      if (transitionLanded(request, current)) return current
      return put(jobs, transitionWrite(request, current, now, ORIGIN).record)
    })

  return {
    create: (input) =>
      write((jobs, now) => {
        if (input.idempotencyKey !== null) {
          const same = Object.values(jobs).find(
            (r) => r.projectId === input.projectId && r.idempotencyKey === input.idempotencyKey,
          )
          if (same) return { record: same, created: false }
        }
        return { record: put(jobs, initialRecord(structuredClone(input), now)), created: true }
      }),

    get: (id) => read((jobs) => jobs[id] ?? null),

    // async: a bad cursor then rejects the promise instead of throwing at the caller.
    list: async ({ projectId, status, limit, cursor }) => {
      const size = clampLimit(limit)
      // A cursor we did not make is a VALIDATION error.
      const after = cursor ? decodeCursor(cursor) : null
      return read((jobs) => {
        const rows = Object.values(jobs)
          .filter((r) => r.projectId === projectId && (status === undefined || r.status === status))
          .filter(
            (r) =>
              !after ||
              r.createdAt.getTime() < after.createdAt ||
              (r.createdAt.getTime() === after.createdAt && r.id < after.id),
          )
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        // One more than the page: toPage makes a cursor only when there is a next page.
        return toPage(rows.slice(0, size + 1), size)
      })
    },

    claim: ({ workerId, leaseToken, leaseMs }) =>
      write((jobs, now) => {
        const due = Object.values(jobs)
          .filter(
            (r) =>
              (r.status === 'created' && r.runAt <= now) ||
              (r.status === 'processing' && r.leaseExpiresAt !== null && r.leaseExpiresAt <= now),
          )
          .sort(
            (a, b) => a.runAt.getTime() - b.runAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime(),
          )
        const oldest = due[0]
        if (!oldest) return null
        // A crashed worker's job goes back to created, then to this worker, in the same step.
        const requeued =
          oldest.status === 'processing'
            ? applyTransition(oldest, 'requeue', { runAt: now, error: null, refundAttempt: false }, now)
            : oldest
        const record = put(jobs, applyTransition(requeued, 'claim', { workerId, leaseToken, leaseMs }, now))
        return { record, lease: { id: record.id, token: leaseToken, workerId } }
      }),

    heartbeat: (lease, { leaseMs, progress }) =>
      write((jobs, now) => {
        const record = jobs[lease.id]
        if (record?.status === 'canceled') return { ok: false, reason: 'canceled', record } as const
        if (!record || record.status !== 'processing' || record.leaseToken !== lease.token) {
          return { ok: false, reason: 'lease_lost', record: record ?? null } as const
        }
        record.leaseExpiresAt = new Date(now.getTime() + leaseMs)
        if (progress !== undefined) record.progress = clampProgress(progress)
        record.updatedAt = now
        return { ok: true, record } as const
      }),

    // complete, checkpoint, fail, release, retry and cancel: each call as its transition request, run by `change`.
    ...transitionMethods(change),

    delete: (id) =>
      write((jobs) => {
        const record = jobs[id] ?? null
        delete jobs[id]
        return record
      }),
  }
}
