import type { Readable } from 'node:stream'

/** What an {@link OutputStore} knows about a stored file. */
export interface StoredFile {
  key: string
  /** Bytes. */
  size: number
  /** Last modification, ms since the epoch (HTTP validators derive from it and `size`). */
  mtimeMs: number
}

/** A file being written: write to `path`, then `commit` or `discard`. */
export interface PendingFile {
  /** A local path in a temporary location; its directory exists. Ends with the key's extension. */
  path: string
  /** Moves the file under its key atomically and returns its stat. */
  commit(): Promise<StoredFile>
  /** Removes the temporary file, if any. Never throws for a missing file. */
  discard(): Promise<void>
}

/** An inclusive byte range. */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Where finished videos and posters are kept and read back from.
 *
 * Obligations every implementation MUST meet:
 * - Nothing is ever visible under a key until `commit`: a reader sees the
 *   whole file or none (no partial file under the final name, even on a crash).
 * - `stat` returns `null` for a missing key; `delete` of a missing key succeeds.
 * - `createReadStream` honours `range` exactly (inclusive `end`) and streams
 *   with back-pressure; destroying the stream releases its resources at once.
 * - Keys are validated: a key that could escape the store (`/`, `..`, NUL) is refused.
 * - `read`, when a store offers it, returns the same bytes as `createReadStream`
 *   for the same range, and `NOT_FOUND` for a missing key.
 */
export interface OutputStore {
  /** Starts a file under `key` (for example `master_1_abcdefgh_1700000000000.mp4`). */
  prepare(key: string): Promise<PendingFile>
  stat(key: string): Promise<StoredFile | null>
  createReadStream(key: string, range?: ByteRange): Promise<Readable>
  delete(key: string): Promise<void>
  /**
   * Reads the inclusive `range` of the file under `key` into memory in one
   * call: for small ranges (a player's seek, a download manager's chunk),
   * where a stream's set-up costs more than the bytes. Stores that have no
   * cheaper way than their stream omit it; callers then use `createReadStream`.
   *
   * An implementation MUST resolve with exactly the bytes `createReadStream`
   * streams for the same `key` and `range` (fewer only where the file ends
   * before `range.end`, as the stream does), MUST reject with `NOT_FOUND`
   * when nothing is stored under `key`, MUST refuse a bad key as every other
   * method does (`VALIDATION`), and MUST NOT keep any resource open once it settles.
   *
   * @example
   * ```ts
   * const range = { start: 0, end: 65_535 }
   * const body = store.read ? await store.read(key, range) : await store.createReadStream(key, range)
   * ```
   */
  read?(key: string, range: ByteRange): Promise<Buffer>
  /**
   * Removes what interrupted writes left behind (a temporary file of a
   * `prepare` that was never committed or discarded because its process
   * died, and files a writer derived from it, such as a transcoder's
   * partial file beside it), and resolves with the names it removed. The
   * worker calls it when it starts.
   *
   * An implementation MUST remove only files no key names (never a committed
   * file), MUST NOT remove anything changed within the last `olderThanMs`
   * (a write in progress in another process or on another machine may own
   * it), and MUST resolve with an empty list when the store's location does
   * not exist yet. Stores whose leftovers expire by themselves omit it.
   *
   * @example
   * ```ts
   * const removed = (await store.sweep?.(60 * 60_000)) ?? []
   * ```
   */
  sweep?(olderThanMs: number): Promise<string[]>
  /**
   * The committed files last modified more than `olderThanMs` ago, in any
   * order. The worker's startup sweep uses it to find files a crash left
   * committed but unnamed by any record (a worker killed between its commit
   * and its `complete`), and removes only those a fresh read of the job proves
   * unnamed.
   *
   * An implementation MUST list committed keys only (never a temporary file),
   * MUST resolve with an empty list when the store's location does not exist
   * yet, and MAY list a store of any size (it is called once per worker start).
   *
   * @example
   * ```ts
   * const old = (await store.list?.(24 * 60 * 60_000)) ?? []
   * console.log(old.map((file) => file.key))
   * ```
   */
  list?(olderThanMs: number): Promise<StoredFile[]>
  /**
   * The file's path on local disk, when there is one (lets the HTTP layer hand
   * the file to nginx, and the transcoder read it). Stores without local files omit it.
   */
  localPath?(key: string): string
}
