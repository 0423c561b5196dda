import type { MasterVideo, MasterVideos } from '@mastervideo/core'
import { invalidOption } from './errors.js'

/** Bounds of a {@link recordCache}. */
export interface RecordCacheOptions {
  /** Most records kept; the least recently served is dropped first. Default 2000. */
  maxEntries?: number
  /**
   * How long a record is served from memory after it was read, in ms. Default
   * 2000. This bounds how long a job deleted by another process (which this
   * one hears nothing of) can still be looked up here; its files are gone at
   * once, so its file routes answer 404 even within this time.
   */
  maxAgeMs?: number
}

/** Completed records by job id, for the file routes (see {@link recordCache}). */
export interface RecordCache {
  /**
   * The job `id` of `projectId`: from memory when a completed record of that
   * project was read less than `maxAgeMs` ago, else from `load` (whose record
   * is kept if it is completed). `load` throws as the service does
   * (`NOT_FOUND` for an unknown id or another project's job).
   */
  get(id: string, projectId: string, load: () => Promise<MasterVideo>): Promise<MasterVideo>
  /** Forgets `id` (the job was deleted). */
  drop(id: string): void
  /** How many records are kept now. */
  readonly size: number
}

/**
 * A small LRU cache of completed records. A completed record never changes
 * until it is deleted (no transition leaves `completed`), so the file routes
 * can skip the repository for a player's burst of range requests; records in
 * any other status are never kept, since a worker, a retry or a cancel may
 * change them at any time. Authorization is not cached: the route guard runs
 * on every request before this is asked.
 *
 * A delete through this process drops the entry ({@link RecordCache.drop});
 * a delete by another process is bounded by `maxAgeMs`. A read that started
 * before a drop is not kept, so it cannot bring the deleted record back.
 *
 * @example
 * ```ts
 * const cache = recordCache({ maxAgeMs: 1000 })
 * mv.on('deleted', (record) => cache.drop(record.id))
 * const record = await cache.get(id, projectId, () => mv.get(id, { projectId }))
 * ```
 */
export function recordCache(options: RecordCacheOptions = {}, now: () => number = Date.now): RecordCache {
  const maxEntries = checked(options.maxEntries ?? 2000, 'maxEntries')
  const maxAgeMs = checked(options.maxAgeMs ?? 2000, 'maxAgeMs')
  // Map order is insertion order: re-inserting on a hit makes the first key the least recently served.
  const entries = new Map<string, { record: MasterVideo; readAt: number }>()
  // Bumped by every drop: a load that straddles one may hold the record just deleted.
  let drops = 0
  return {
    async get(id, projectId, load) {
      const hit = entries.get(id)
      if (hit && now() - hit.readAt < maxAgeMs) {
        // Another project's id is not served from here: `load` refuses it as the service does.
        if (hit.record.projectId === projectId) {
          entries.delete(id)
          entries.set(id, hit)
          return hit.record
        }
      } else if (hit) {
        entries.delete(id)
      }
      const before = drops
      const readAt = now()
      const record = await load()
      if (record.status === 'completed' && before === drops && maxEntries > 0) {
        entries.delete(id)
        entries.set(id, { record, readAt })
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
      }
      return record
    },
    drop(id) {
      drops++
      entries.delete(id)
    },
    get size() {
      return entries.size
    },
  }
}

function checked(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 0) return value
  throw invalidOption(`recordCache.${field} must be a non-negative integer`, {
    details: { field: `recordCache.${field}` },
  })
}

// One set of caches per service, so every app built on it shares one `deleted` listener.
const byService = new WeakMap<MasterVideos, { caches: Map<string, RecordCache>; listen(): void }>()

/**
 * The {@link recordCache} of `mv` with these bounds, made on first use and
 * shared by every app built on `mv` with the same bounds; the service's
 * `deleted` event drops a record from all of them. One listener per service,
 * however many apps are built on it, added by the first file lookup (a
 * service whose files are never served has no listener).
 *
 * @example
 * ```ts
 * const records = serviceRecordCache(mv, { maxAgeMs: 2000 })
 * ```
 */
export function serviceRecordCache(mv: MasterVideos, options: RecordCacheOptions = {}): RecordCache {
  let shared = byService.get(mv)
  if (!shared) {
    const caches = new Map<string, RecordCache>()
    let listening = false
    shared = {
      caches,
      listen() {
        if (listening) return
        listening = true
        mv.on('deleted', (record) => {
          for (const cache of caches.values()) cache.drop(record.id)
        })
      },
    }
    byService.set(mv, shared)
  }
  const bounds = `${options.maxEntries ?? ''}/${options.maxAgeMs ?? ''}`
  let cache = shared.caches.get(bounds)
  if (!cache) {
    const made = recordCache(options)
    const { listen } = shared
    cache = {
      get(id, projectId, load) {
        listen()
        return made.get(id, projectId, load)
      },
      drop: (id) => made.drop(id),
      get size() {
        return made.size
      },
    }
    shared.caches.set(bounds, cache)
  }
  return cache
}
