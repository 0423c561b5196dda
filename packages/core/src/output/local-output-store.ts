import { close as closeFd, open as openFd, read as readFd } from 'node:fs'
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { NotFoundError, StorageError, toMasterVideoError, ValidationError } from '../errors.js'
import { randomSuffix } from '../record/ids.js'
import type { ByteRange, OutputStore, StoredFile } from './output-store.js'

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

function checkKey(key: string): string {
  if (!KEY.test(key) || key.includes('..')) {
    throw new ValidationError(`Output key ${JSON.stringify(key)} is not a plain file name`, {
      details: { key },
    })
  }
  return key
}

/** The prefix of in-progress files; readers never see them under a key. */
export const TEMP_PREFIX = '.tmp-'

/**
 * An {@link OutputStore} on the local file system, in a flat
 * layout: one directory of `master_<id>_<timestamp>.mp4` files. Each file is
 * written under a hidden temporary name in the same directory, flushed to
 * disk, then renamed into place, so a crash never leaves a partial file under
 * the final name.
 *
 * @example
 * ```ts
 * import { localOutputStore } from '@mastervideo/core'
 *
 * const output = localOutputStore('data/master-videos')
 * console.log(await output.stat('master_1_abcdefgh_1.mp4')) // null until written
 * ```
 */
export function localOutputStore(directory: string): OutputStore {
  const root = path.resolve(directory)
  const pathOf = (key: string) => path.join(root, checkKey(key))

  return {
    async prepare(key) {
      const final = pathOf(key)
      try {
        await mkdir(root, { recursive: true })
      } catch (error) {
        throw toMasterVideoError(error, { context: 'cannot create the output directory' })
      }
      const temp = path.join(root, `${TEMP_PREFIX}${randomSuffix(10)}-${key}`)
      return {
        path: temp,
        async commit() {
          try {
            // Flush before the rename: after a power cut the name never points at a short file.
            const handle = await open(temp, 'r+')
            try {
              await handle.sync()
            } finally {
              await handle.close()
            }
            await rename(temp, final)
            const info = await stat(final)
            return { key, size: info.size, mtimeMs: info.mtimeMs }
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
              throw new StorageError(`Nothing was written to ${key} before commit`, {
                cause: error,
              })
            }
            throw toMasterVideoError(error, { context: `cannot commit ${key}` })
          }
        },
        async discard() {
          await rm(temp, { force: true })
        },
      }
    },

    async stat(key) {
      try {
        const info = await stat(pathOf(key))
        return info.isFile() ? { key, size: info.size, mtimeMs: info.mtimeMs } : null
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw toMasterVideoError(error, { context: `cannot stat ${key}` })
      }
    },

    async createReadStream(key, range) {
      let handle: FileHandle
      try {
        handle = await open(pathOf(key), 'r')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new NotFoundError(`No output file ${key}`, { cause: error, details: { key } })
        }
        throw toMasterVideoError(error, { context: `cannot open ${key}` })
      }
      // The stream owns the handle and closes it on end, error or destroy.
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {})
    },

    async read(key, range) {
      return readRange(pathOf(key), key, range)
    },

    async delete(key) {
      await rm(pathOf(key), { force: true })
    },

    localPath(key) {
      return pathOf(key)
    },

    async sweep(olderThanMs) {
      return sweepTemps(root, olderThanMs)
    },

    async list(olderThanMs) {
      return listCommitted(root, olderThanMs)
    },
  }
}

/**
 * The files of the folder that `include` accepts by name and that were last
 * modified more than `olderThanMs` ago; none when the folder does not exist yet.
 */
async function filesOlderThan(
  root: string,
  olderThanMs: number,
  include: (name: string) => boolean,
): Promise<StoredFile[]> {
  let names: string[]
  try {
    names = await readdir(root)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw toMasterVideoError(error, { context: 'cannot list the output directory' })
  }
  const cutoff = Date.now() - olderThanMs
  const files: StoredFile[] = []
  for (const name of names.filter(include)) {
    const info = await lstat(path.join(root, name)).catch(() => null)
    if (info?.isFile() && info.mtimeMs < cutoff)
      files.push({ key: name, size: info.size, mtimeMs: info.mtimeMs })
  }
  return files
}

/** The committed files of the folder (plain key names, no temp files) older than `olderThanMs`. */
function listCommitted(root: string, olderThanMs: number): Promise<StoredFile[]> {
  return filesOlderThan(root, olderThanMs, (name) => KEY.test(name) && !name.includes('..'))
}

/**
 * Removes the store's temporary files (`.tmp-*`) and what writers derived
 * from them beside it (ffmpeg's `..tmp-*.partial`), when last modified more
 * than `olderThanMs` ago. A write in progress keeps touching its file, so the
 * age tells a dead writer's leftovers from a live one's, on this machine or
 * another sharing the folder.
 */
async function sweepTemps(root: string, olderThanMs: number): Promise<string[]> {
  const leftovers = await filesOlderThan(
    root,
    olderThanMs,
    (name) => name.startsWith(TEMP_PREFIX) || name.startsWith(`.${TEMP_PREFIX}`),
  )
  for (const file of leftovers) await rm(path.join(root, file.key), { force: true })
  return leftovers.map((file) => file.key)
}

/**
 * One open, pread (repeated only if the kernel returns less) and close, with
 * the callback API: a 64 KiB seek is the request players make most, and both
 * a read stream's set-up and the promise API's FileHandle cost a measurable
 * share of the server's time on such ranges (docs/benchmarks/http-hono.md).
 * Stops at the end of the file, as a read stream does.
 */
function readRange(file: string, key: string, range: ByteRange): Promise<Buffer> {
  const length = Math.max(0, range.end - range.start + 1)
  return new Promise((resolve, reject) => {
    openFd(file, 'r', (openError, fd) => {
      if (openError) {
        reject(
          openError.code === 'ENOENT'
            ? new NotFoundError(`No output file ${key}`, { cause: openError, details: { key } })
            : toMasterVideoError(openError, { context: `cannot open ${key}` }),
        )
        return
      }
      const body = Buffer.allocUnsafe(length)
      const done = (error: Error | null, bytes: number) =>
        closeFd(fd, () =>
          error
            ? reject(toMasterVideoError(error, { context: `cannot read ${key}` }))
            : resolve(bytes === length ? body : body.subarray(0, bytes)),
        )
      const next = (offset: number) => {
        if (offset >= length) return done(null, offset)
        readFd(fd, body, offset, length - offset, range.start + offset, (error, bytes) => {
          if (error) done(error, offset)
          else if (bytes === 0) done(null, offset)
          else next(offset + bytes)
        })
      }
      next(0)
    })
  })
}
