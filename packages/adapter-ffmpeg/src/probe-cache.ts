import type { BigIntStats } from 'node:fs'
import type { ProbeResult } from '@mastervideo/core'

/**
 * How long a file must have been left alone before its probe is remembered.
 * File times tick coarsely (a few milliseconds on Linux), so a file rewritten
 * in the same tick as its probe could keep the same size and times: like git's
 * "racily clean" index entries, a probe of a file changed this recently is
 * used once and not kept. Any later change moves ctime past this margin, so it
 * can never match a remembered entry.
 */
const RACY_MARGIN_NS = 2_000_000_000n

/** The identity of one version of a file: a rename over it, a rewrite, a touch, all change it. */
function versionOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
}

/** A deep copy, so a caller editing a result cannot change what the next caller gets. */
function copyOf(probe: ProbeResult, file: string): ProbeResult {
  return { ...probe, path: file, streams: probe.streams.map((stream) => ({ ...stream })) }
}

/** Remembered probes of unchanged files (see {@link probeCache}). */
export interface ProbeCache {
  /** The remembered probe when `stats` still describe the version that was probed. */
  get(absolute: string, stats: BigIntStats, file: string): ProbeResult | undefined
  /** Remembers an accepted probe; skipped for a file changed less than 2 s before `startedAtNs`. */
  set(absolute: string, stats: BigIntStats, probe: ProbeResult, startedAtNs: bigint): void
}

/**
 * A bounded memory of accepted probes, keyed by absolute path and checked
 * against the file's device, inode, size, mtime and ctime (nanoseconds) on
 * every use: `plan()` then `concat()`, a clip used twice, or a retried job
 * skip ffprobe, while a file changed in any way is probed again. Refusals are
 * not remembered, so a bad file is judged afresh each time. Least recently
 * used entries go first once `limit` is reached.
 *
 * @example
 * ```ts
 * import { stat } from 'node:fs/promises'
 * import { probeCache } from './probe-cache.js'
 *
 * const cache = probeCache()
 * const stats = await stat('/videos/a.mp4', { bigint: true })
 * const known = cache.get('/videos/a.mp4', stats, 'a.mp4') // undefined the first time
 * ```
 */
export function probeCache(limit = 256): ProbeCache {
  const entries = new Map<string, { version: string; probe: ProbeResult }>()
  return {
    get(absolute, stats, file) {
      const entry = entries.get(absolute)
      if (!entry) return undefined
      entries.delete(absolute)
      if (entry.version !== versionOf(stats)) return undefined
      entries.set(absolute, entry) // most recently used last
      return copyOf(entry.probe, file)
    },
    set(absolute, stats, probe, startedAtNs) {
      if (startedAtNs - stats.ctimeNs < RACY_MARGIN_NS || startedAtNs - stats.mtimeNs < RACY_MARGIN_NS) return
      entries.delete(absolute)
      entries.set(absolute, { version: versionOf(stats), probe: copyOf(probe, probe.path) })
      while (entries.size > limit) {
        const oldest = entries.keys().next().value
        if (oldest === undefined) break
        entries.delete(oldest)
      }
    },
  }
}
