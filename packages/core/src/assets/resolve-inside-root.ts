import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'

/** Options of {@link resolveInsideRoot}. */
export interface ResolveInsideRootOptions {
  /**
   * The path comes from the host (a row it stored), not from a client: an
   * absolute path, `..` segments and backslashes are accepted as long as the
   * real file lies inside the root. Default false: a client's id must be a
   * plain relative path.
   */
  trusted?: boolean
}

/** Where {@link resolveInsideRoot} found the file, or why it refused it in words without paths. */
export type InsideRootResult = { ok: true; path: string } | { ok: false; reason: string; cause?: unknown }

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/** The checks on the text alone: what a client's id may never contain. */
function refuseUntrusted(file: string): string | null {
  if (file.includes('\\')) return 'contains a backslash'
  if (path.isAbsolute(file) || /^[a-zA-Z]:/.test(file)) return 'is an absolute path'
  if (file.split('/').some((segment) => segment === '..')) return 'contains ".."'
  return null
}

/**
 * Resolves `file` against `root` and accepts it only if it is a regular file
 * whose real path (symbolic links followed) lies inside the real `root`.
 * Refuses an empty path, a NUL byte, a link out of the root, the root itself,
 * a directory, and a missing file; for an untrusted path also backslashes,
 * absolute paths and `..` segments, before touching the disk. With `root`
 * `null` there is no containment: links are followed and the target must be
 * a regular file. It never throws: the caller words the refusal (the reason
 * names no path, so it may go in a client-facing message).
 *
 * @example
 * ```ts
 * import { resolveInsideRoot } from '@mastervideo/core/adapter'
 *
 * const found = await resolveInsideRoot('assets', 'clips/intro.mp4')
 * if (found.ok) console.log(found.path) // '/abs/assets/clips/intro.mp4'
 * else console.log(`refused: ${found.reason}`)
 * ```
 */
export async function resolveInsideRoot(
  root: string | null,
  file: string,
  options: ResolveInsideRootOptions = {},
): Promise<InsideRootResult> {
  const refuse = (reason: string, cause?: unknown): InsideRootResult =>
    cause === undefined ? { ok: false, reason } : { ok: false, reason, cause }
  if (typeof file !== 'string' || file === '') return refuse('is empty')
  if (file.includes('\u0000')) return refuse('contains a NUL byte')
  const absoluteRoot = root === null ? null : path.resolve(root)
  if (!options.trusted) {
    const why = refuseUntrusted(file)
    if (why) return refuse(why)
  }
  const candidate = absoluteRoot ? path.resolve(absoluteRoot, file) : path.resolve(file)
  if (absoluteRoot && !options.trusted && !isInside(absoluteRoot, candidate)) {
    return refuse('resolves outside the asset root')
  }
  let realRoot: string | null = null
  if (absoluteRoot) {
    try {
      realRoot = await realpath(absoluteRoot)
    } catch (cause) {
      return refuse('cannot be checked: the asset root does not exist', cause)
    }
  }
  let real: string
  try {
    real = await realpath(candidate)
  } catch (cause) {
    return refuse('does not exist', cause)
  }
  if (realRoot && !isInside(realRoot, real)) return refuse('resolves outside the asset root')
  const info = await stat(real).catch(() => null)
  if (!info?.isFile()) return refuse('is not a regular file')
  return { ok: true, path: real }
}
