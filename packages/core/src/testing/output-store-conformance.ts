import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ByteRange, OutputStore } from '../output/output-store.js'
import { expectCode, sleep } from './expect-code.js'
import { trackResources } from './resource-watch.js'

/** Options of {@link outputStoreConformance}. */
export interface OutputStoreConformanceOptions {
  /** Shown in the test names. */
  name?: string
  /** A fresh, empty store for each test. */
  create: () => OutputStore | Promise<OutputStore>
  /** Called after each test with the store it used (remove its directory or bucket prefix). */
  cleanup?: (store: OutputStore) => void | Promise<void>
}

const KEY = 'master_1_abcdefgh_1700000000000.mp4'
/** Large enough that a stream delivers several chunks and ranges cross chunk boundaries. */
const SIZE = 200_000
const BAD_KEYS: [string, string][] = [
  ['a slash', 'a/b.mp4'],
  ['a parent reference', '../escape.mp4'],
  ['only dots', '..'],
  ['a NUL', 'a\u0000b.mp4'],
  ['an empty key', ''],
  ['an absolute path', '/etc/passwd'],
  ['a backslash', 'a\\b.mp4'],
]

async function collect(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return { bytes: Buffer.concat(chunks), chunks: chunks.length }
}

/** This process's open descriptors on `file`, where the platform lists them (Linux); else none. */
function descriptorsOf(file: string): string[] {
  if (!existsSync('/proc/self/fd')) return []
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file
    } catch {
      return false // closed while we looked
    }
  })
}

/**
 * Registers vitest tests that check an {@link OutputStore} keeps every
 * obligation of the interface: nothing visible under a key before `commit`
 * (nor after `discard`), the whole file after it, exact inclusive byte
 * ranges, a destroyed read stream released at once, unsafe keys refused with
 * `VALIDATION`, `stat` of a missing key `null` and `delete` of one a success.
 * When the store has the optional `read(key, range)`, it must return exactly
 * the bytes `createReadStream` streams, and `NOT_FOUND` for a missing key.
 *
 * @example
 * ```ts
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import path from 'node:path'
 * import { localOutputStore } from '@mastervideo/core'
 * import { outputStoreConformance } from '@mastervideo/core/testing'
 *
 * const dirs = new Map()
 * outputStoreConformance({
 *   name: 'local',
 *   create: async () => {
 *     const dir = await mkdtemp(path.join(tmpdir(), 'store-'))
 *     const store = localOutputStore(dir)
 *     dirs.set(store, dir)
 *     return store
 *   },
 *   cleanup: (store) => rm(dirs.get(store), { recursive: true, force: true }),
 * })
 * ```
 */
export function outputStoreConformance(options: OutputStoreConformanceOptions): void {
  describe(`output store conformance: ${options.name ?? 'output store'}`, () => {
    let current: OutputStore | undefined
    const store = (): OutputStore => {
      if (!current) throw new Error('the store exists only while a test runs')
      return current
    }
    beforeEach(async () => {
      current = await options.create()
    })
    afterEach(async () => {
      const used = current
      current = undefined
      if (used) await options.cleanup?.(used)
    })

    /** Writes `bytes` under `key` through prepare and commit. */
    async function put(key: string, bytes: Buffer) {
      const pending = await store().prepare(key)
      await writeFile(pending.path, bytes)
      return pending.commit()
    }

    /** Asserts that nothing can be read under `key`. */
    async function expectUnreadable(key: string) {
      expect(await store().stat(key)).toBeNull()
      const failed = await store()
        .createReadStream(key)
        .then(collect)
        .then(
          () => false,
          () => true,
        )
      expect(failed, `reading ${key} should fail`).toBe(true)
      const read = store().read
      if (read) await expectCode(read.call(store(), key, { start: 0, end: 0 }), 'NOT_FOUND')
    }

    it('shows nothing under the key while the file is pending, then the whole file after commit', async () => {
      const bytes = randomBytes(SIZE)
      const pending = await store().prepare(KEY)
      expect(path.extname(pending.path)).toBe('.mp4')
      await writeFile(pending.path, bytes)
      await expectUnreadable(KEY)
      const committed = await pending.commit()
      expect(committed).toMatchObject({ key: KEY, size: SIZE })
      expect(typeof committed.mtimeMs).toBe('number')
      expect(await store().stat(KEY)).toMatchObject({ key: KEY, size: SIZE })
      expect((await collect(await store().createReadStream(KEY))).bytes.equals(bytes)).toBe(true)
    })

    it('shows nothing after discard, which may be called again, or with nothing written', async () => {
      const pending = await store().prepare(KEY)
      await writeFile(pending.path, randomBytes(1000))
      await pending.discard()
      await expectUnreadable(KEY)
      await pending.discard()
      await (await store().prepare(KEY)).discard()
      await expectUnreadable(KEY)
    })

    it('stat of a missing key is null; delete of a missing key succeeds', async () => {
      expect(await store().stat('missing.mp4')).toBeNull()
      await store().delete('missing.mp4')
    })

    it('delete removes a committed file', async () => {
      await put(KEY, randomBytes(100))
      await store().delete(KEY)
      await expectUnreadable(KEY)
      await store().delete(KEY)
    })

    it('streams a large file in chunks, not as one buffer', async () => {
      await put(KEY, randomBytes(2 * 1024 * 1024))
      expect((await collect(await store().createReadStream(KEY))).chunks).toBeGreaterThan(1)
    })

    const ranges: [string, ByteRange][] = [
      ['the first byte', { start: 0, end: 0 }],
      ['the last byte', { start: SIZE - 1, end: SIZE - 1 }],
      ['a single byte in the middle', { start: 100_000, end: 100_000 }],
      ['a middle span across chunk boundaries', { start: 1_000, end: 150_000 }],
      ['the whole file', { start: 0, end: SIZE - 1 }],
    ]
    it.each(ranges)('reads %s exactly (inclusive end)', async (_, range) => {
      const bytes = randomBytes(SIZE)
      await put(KEY, bytes)
      const expected = bytes.subarray(range.start, range.end + 1)
      const streamed = (await collect(await store().createReadStream(KEY, range))).bytes
      expect(streamed.length).toBe(expected.length)
      expect(streamed.equals(expected)).toBe(true)
      const read = store().read
      if (read) {
        const inMemory = await read.call(store(), KEY, range)
        expect(Buffer.isBuffer(inMemory)).toBe(true)
        expect(inMemory.equals(streamed)).toBe(true)
      }
    })

    it('releases a read stream at once when it is destroyed', async () => {
      await put(KEY, randomBytes(4 * 1024 * 1024))
      const watch = trackResources(() => store().createReadStream(KEY))
      try {
        const stream = await watch.result
        watch.freeze()
        await once(stream, 'readable')
        const closed = once(stream, 'close')
        stream.destroy()
        await Promise.race([
          closed,
          sleep(1000).then(() => {
            throw new Error('the destroyed stream did not close within 1 s')
          }),
        ])
        // A file handle or socket closes asynchronously: a few turns of the event loop, not seconds.
        for (let i = 0; i < 50 && watch.held().length > 0; i++) await sleep(10)
        expect(watch.held(), 'what the destroyed stream still holds').toEqual([])
        const file = store().localPath?.(KEY)
        if (file) expect(descriptorsOf(file), 'descriptors still open on the file').toEqual([])
      } finally {
        watch.dispose()
      }
      // Nothing holds the file: it can be removed (Windows refuses to remove an open file).
      await store().delete(KEY)
      expect(await store().stat(KEY)).toBeNull()
    })

    it.each(BAD_KEYS)('refuses a key with %s (VALIDATION) in every method', async (_, key) => {
      const s = store()
      await expectCode(() => s.prepare(key), 'VALIDATION')
      await expectCode(() => s.stat(key), 'VALIDATION')
      await expectCode(() => s.createReadStream(key), 'VALIDATION')
      await expectCode(() => s.delete(key), 'VALIDATION')
      if (s.read) await expectCode(() => s.read?.(key, { start: 0, end: 0 }), 'VALIDATION')
      if (s.localPath) await expectCode(() => s.localPath?.(key), 'VALIDATION')
    })

    it('list, when the store offers it, gives committed files only, by age', async (context) => {
      const list = store().list
      if (!list) return context.skip()
      const bytes = randomBytes(64)
      await put(KEY, bytes)
      const pending = await store().prepare('master_1_pendingx_1700000000000.mp4')
      await writeFile(pending.path, bytes)
      const listed = await list.call(store(), 0)
      expect(listed.map((file) => file.key)).toContain(KEY)
      expect(listed.find((file) => file.key === KEY)).toMatchObject({ key: KEY, size: 64 })
      // Pending files are the sweep's business, never listed as committed.
      expect(listed.map((file) => file.key)).not.toContain('master_1_pendingx_1700000000000.mp4')
      expect(listed.every((file) => !file.key.startsWith('.'))).toBe(true)
      // Nothing is older than an hour yet.
      expect((await list.call(store(), 60 * 60_000)).map((file) => file.key)).not.toContain(KEY)
      await pending.discard()
    })

    it('read, when the store offers it, rejects a missing key with NOT_FOUND', async (context) => {
      const read = store().read
      if (!read) return context.skip()
      await expectCode(read.call(store(), 'missing.mp4', { start: 0, end: 9 }), 'NOT_FOUND')
    })
  })
}
