import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises'
import path from 'node:path'
import { TEMP_PREFIX } from '@mastervideo/core/adapter'

/** A download left behind by a crashed process is removed after this long. */
const STALE_TEMP_MS = 60 * 60 * 1000

/** Options of {@link AssetCache}. */
export interface AssetCacheOptions {
  directory: string
  /** The size the cache is trimmed to after each download. */
  maxBytes: number
  /** Files used more recently than this are never evicted (a job may still be reading them). */
  holdMs: number
}

/**
 * A directory of downloaded clips, trimmed to `maxBytes` least recently used
 * first. "Used" is the file's mtime, set on every hit, so several processes
 * sharing the directory see each other's use. Files used within `holdMs` are
 * kept even over budget: a job resolves every clip before ffmpeg opens them,
 * and the concat demuxer opens each clip only when it reaches it.
 */
export class AssetCache {
  readonly directory: string
  readonly #maxBytes: number
  readonly #holdMs: number
  #trimming: Promise<void> = Promise.resolve()
  #ready: Promise<void> | null = null

  constructor(options: AssetCacheOptions) {
    this.directory = path.resolve(options.directory)
    this.#maxBytes = options.maxBytes
    this.#holdMs = options.holdMs
  }

  /** Creates the directory once. */
  ready(): Promise<void> {
    this.#ready ??= mkdir(this.directory, { recursive: true }).then(() => {})
    return this.#ready
  }

  /** A fresh temporary path in the cache directory, on the same file system as the final name. */
  tempPath(name: string, suffix: string): string {
    return path.join(this.directory, `${TEMP_PREFIX}${suffix}-${name}`)
  }

  /**
   * The path of `name` when the cache holds it with exactly `size` bytes, and
   * marks it used; null otherwise (a missing or truncated file is a miss).
   */
  async hit(name: string, size: number): Promise<string | null> {
    const file = path.join(this.directory, name)
    const info = await stat(file).catch(() => null)
    if (!info?.isFile() || info.size !== size) return null
    const now = new Date()
    await utimes(file, now, now).catch(() => {})
    return file
  }

  /** Trims the cache to its budget; one trim at a time, later calls queue behind it. */
  trim(): Promise<void> {
    this.#trimming = this.#trimming.then(
      () => this.#trimNow().catch(() => {}),
      () => {},
    )
    return this.#trimming
  }

  async #trimNow(): Promise<void> {
    const now = Date.now()
    const files: { file: string; size: number; usedMs: number }[] = []
    for (const entry of await readdir(this.directory, { withFileTypes: true })) {
      if (!entry.isFile()) continue
      const file = path.join(this.directory, entry.name)
      const info = await stat(file).catch(() => null)
      if (!info) continue
      if (entry.name.startsWith(TEMP_PREFIX)) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true })
        continue
      }
      files.push({ file, size: info.size, usedMs: info.mtimeMs })
    }
    let total = files.reduce((sum, f) => sum + f.size, 0)
    files.sort((a, b) => a.usedMs - b.usedMs)
    for (const entry of files) {
      if (total <= this.#maxBytes) break
      if (now - entry.usedMs < this.#holdMs) break
      await rm(entry.file, { force: true })
      total -= entry.size
    }
  }
}
