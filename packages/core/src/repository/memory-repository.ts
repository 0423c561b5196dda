import { clampProgress } from '../adapter/progress-clamp.js'
import { completionLanded } from '../adapter/transition-write.js'
import { LeaseLostError, NotFoundError } from '../errors.js'
import { webhookEventFor } from '../notify/webhook-payload.js'
import { memoryOutbox } from '../outbox/memory-outbox.js'
import type { MasterVideo } from '../record/master-video.js'
import { applyTransition, initialRecord } from '../record/state-machine.js'
import { statsOfRecords } from '../stats/stats-of-records.js'
import { clampLimit, decodeCursor, toPage } from './cursor.js'
import type { Lease, Repository } from './repository.js'

/**
 * A {@link Repository} in process memory: the reference implementation every
 * other repository is measured against, and a fine choice for tests and
 * single-process tools. Nothing survives a restart.
 *
 * @example
 * ```ts
 * import { createMasterVideos, memoryRepository } from '@mastervideo/core'
 * import type { OutputStore, Transcoder } from '@mastervideo/core'
 *
 * declare const transcoder: Transcoder
 * declare const output: OutputStore
 * const mv = createMasterVideos({ repository: memoryRepository(), transcoder, output, assets: (shot) => shot.assetId })
 * ```
 */
export function memoryRepository(): Repository {
  const jobs = new Map<string, MasterVideo>()
  const copy = (record: MasterVideo): MasterVideo => structuredClone(record)
  const outbox = memoryOutbox()

  function holding(lease: Lease): MasterVideo {
    const record = jobs.get(lease.id)
    if (!record || record.status !== 'processing' || record.leaseToken !== lease.token) {
      throw new LeaseLostError(`The lease on ${lease.id} is lost`, {
        details: { id: lease.id, status: record?.status ?? null },
      })
    }
    return record
  }

  function existing(id: string): MasterVideo {
    const record = jobs.get(id)
    if (!record) throw new NotFoundError(`No master video ${id}`, { details: { id } })
    return record
  }

  function store(record: MasterVideo): MasterVideo {
    // The outbox event is written in the same synchronous step as the transition.
    const event = webhookEventFor(jobs.get(record.id)?.status ?? null, record)
    jobs.set(record.id, record)
    if (event) outbox.write(event)
    return copy(record)
  }

  return {
    outbox: outbox.outbox,

    async create(input) {
      if (input.idempotencyKey !== null) {
        for (const record of jobs.values()) {
          if (record.projectId === input.projectId && record.idempotencyKey === input.idempotencyKey) {
            return { record: copy(record), created: false }
          }
        }
      }
      const record = initialRecord(structuredClone(input), new Date())
      return { record: store(record), created: true }
    },

    async get(id) {
      const record = jobs.get(id)
      return record ? copy(record) : null
    },

    async list({ projectId, status, limit, cursor }) {
      const size = clampLimit(limit)
      const after = cursor ? decodeCursor(cursor) : null
      const rows = [...jobs.values()]
        .filter((r) => r.projectId === projectId && (status === undefined || r.status === status))
        .filter(
          (r) =>
            !after ||
            r.createdAt.getTime() < after.createdAt ||
            (r.createdAt.getTime() === after.createdAt && r.id < after.id),
        )
        .sort(
          (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
        )
      return toPage(rows.slice(0, size + 1).map(copy), size)
    },

    async claim({ workerId, leaseToken, leaseMs }) {
      const now = new Date()
      let oldest: MasterVideo | undefined
      for (const r of jobs.values()) {
        const due =
          (r.status === 'created' && r.runAt <= now) ||
          (r.status === 'processing' && r.leaseExpiresAt !== null && r.leaseExpiresAt <= now)
        if (!due) continue
        if (
          !oldest ||
          r.runAt < oldest.runAt ||
          (r.runAt.getTime() === oldest.runAt.getTime() && r.createdAt < oldest.createdAt)
        ) {
          oldest = r
        }
      }
      if (!oldest) return null
      // An expired lease is requeued and claimed in the same synchronous step.
      const requeued =
        oldest.status === 'processing'
          ? applyTransition(oldest, 'requeue', { runAt: now, error: null, refundAttempt: false }, now)
          : oldest
      const record = store(applyTransition(requeued, 'claim', { workerId, leaseToken, leaseMs }, now))
      return { record, lease: { id: record.id, token: leaseToken, workerId } }
    },

    async heartbeat(lease, { leaseMs, progress }) {
      const record = jobs.get(lease.id)
      if (record?.status === 'canceled') return { ok: false, reason: 'canceled', record: copy(record) }
      if (!record || record.status !== 'processing' || record.leaseToken !== lease.token) {
        return { ok: false, reason: 'lease_lost', record: record ? copy(record) : null }
      }
      const now = new Date()
      const next: MasterVideo = {
        ...record,
        leaseExpiresAt: new Date(now.getTime() + leaseMs),
        progress: progress === undefined ? record.progress : clampProgress(progress),
        updatedAt: now,
      }
      return { ok: true, record: store(next) }
    },

    async complete(lease, result) {
      const done = jobs.get(lease.id)
      if (done && completionLanded(result, done)) return copy(done)
      return store(applyTransition(holding(lease), 'complete', structuredClone(result), new Date()))
    },

    async checkpoint(lease, result) {
      const current = jobs.get(lease.id)
      if (
        current?.status === 'processing' &&
        current.leaseToken === lease.token &&
        current.output?.key === result.output.key
      ) {
        return copy(current)
      }
      return store(applyTransition(holding(lease), 'checkpoint', structuredClone(result), new Date()))
    },

    async fail(lease, error, options) {
      const record = holding(lease)
      const now = new Date()
      return store(
        options?.retryAt
          ? applyTransition(record, 'requeue', { runAt: options.retryAt, error, refundAttempt: false }, now)
          : applyTransition(record, 'fail', { error: { ...error } }, now),
      )
    },

    async release(lease) {
      const now = new Date()
      return store(
        applyTransition(holding(lease), 'requeue', { runAt: now, error: null, refundAttempt: true }, now),
      )
    },

    async retry(id, options) {
      const data = options?.encoding ? { encoding: options.encoding } : {}
      return store(applyTransition(existing(id), 'retry', data, new Date()))
    },

    async cancel(id) {
      return store(applyTransition(existing(id), 'cancel', {}, new Date()))
    },

    stats: async (options) => statsOfRecords(jobs.values(), options),

    async delete(id) {
      const record = jobs.get(id)
      if (!record) return null
      jobs.delete(id)
      return copy(record)
    },
  }
}
