// A complete mastervideo output store in one folder, built only from
// @mastervideo/core (types, errors) and @mastervideo/core/adapter
// (TEMP_PREFIX). docs/adapters.md walks through this file;
// minimal-adapters.test.ts runs outputStoreConformance on it.
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { NotFoundError, type OutputStore, ValidationError } from '@mastervideo/core'
import { TEMP_PREFIX } from '@mastervideo/core/adapter'

const ORIGIN = 'folder-output-store'

/** A plain file name: no separator, no `..`, no NUL, not hidden, not empty. */
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/

function checkKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes('..')) {
    throw new ValidationError('The output key is not a plain file name', { details: { key }, origin: ORIGIN })
  }
  return key
}

/**
 * An {@link OutputStore} in one folder. A file is written under a hidden
 * temporary name beside its final one and renamed into place on commit, so a
 * reader sees the whole file or nothing.
 *
 * @example
 * ```ts
 * const output = folderOutputStore('data/videos')
 * ```
 */
export function folderOutputStore(folder: string): OutputStore {
  const root = path.resolve(folder)
  const pathOf = (key: string) => path.join(root, checkKey(key))

  return {
    async prepare(key) {
      const final = pathOf(key)
      await mkdir(root, { recursive: true })
      // Same folder as the final name: rename is atomic only within one file system.
      const temp = path.join(root, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${key}`)
      return {
        path: temp,
        async commit() {
          await rename(temp, final)
          const info = await stat(final)
          return { key, size: info.size, mtimeMs: info.mtimeMs }
        },
        async discard() {
          await rm(temp, { force: true })
        },
      }
    },

    async stat(key) {
      const info = await stat(pathOf(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null
        throw error
      })
      return info?.isFile() ? { key, size: info.size, mtimeMs: info.mtimeMs } : null
    },

    async createReadStream(key, range) {
      // Open first, so a missing file is a NOT_FOUND here rather than an error event later.
      const handle = await open(pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new NotFoundError(`No output file ${key}`, { origin: ORIGIN })
        throw error
      })
      // The stream owns the handle: it closes it on end, on error and on destroy.
      return createReadStream('', { fd: handle, start: range?.start, end: range?.end })
    },

    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}
