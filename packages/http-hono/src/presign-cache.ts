import type { PresigningOutputStore, PresignRequest } from './job-files.js'

/** Most URLs one cache keeps: one per file and kind a burst of players asks for. */
const MAX_ENTRIES = 1000

/** Reuses presigned URLs for a short while (see {@link presignCache}). */
export interface PresignCache {
  /** The store's URL for `key` and `request`, signed now or reused from the last `reuseMs`. */
  presign(store: PresigningOutputStore, key: string, request: PresignRequest): Promise<string>
}

/**
 * A cache of presigned URLs. Signing costs a SigV4 computation and the SDK's
 * middleware stack (about 1 ms of CPU), and a player asks for the same
 * video many times (the first request, then every seek): one signature then
 * serves every request for the same file, kind and lifetime for a tenth of
 * the lifetime, at most 60 s. A reused URL therefore stays valid for at least
 * 90% of `expiresInSec`. Every request is still authorized before it is
 * answered; the URL only saves the signing. At most 1000 URLs are kept, the
 * oldest dropped first.
 *
 * @example
 * ```ts
 * const cache = presignCache()
 * const url = await cache.presign(store, 'master_1_abcdefgh_1.mp4', { expiresInSec: 3600, contentType: 'video/mp4' })
 * ```
 */
export function presignCache(now: () => number = Date.now): PresignCache {
  const entries = new Map<string, { url: Promise<string>; until: number }>()
  return {
    presign(store, key, request) {
      const id = `${key}\n${request.expiresInSec}\n${request.contentType}\n${request.contentDisposition ?? ''}`
      const time = now()
      const hit = entries.get(id)
      if (hit && hit.until > time) return hit.url
      const url = store.presign(key, request)
      entries.delete(id)
      entries.set(id, { url, until: time + Math.min(60_000, request.expiresInSec * 100) })
      // A failed signature is not kept: the next request signs again.
      url.catch(() => entries.delete(id))
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
      return url
    },
  }
}
