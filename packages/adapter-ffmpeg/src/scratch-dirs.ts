import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

const PREFIX = 'mv-ffmpeg-'
// `mv-ffmpeg-<pid>-XXXXXX` as made now, `mv-ffmpeg-XXXXXX` by earlier versions.
const SCRATCH_NAME = /^mv-ffmpeg-(?:(\d+)-)?[A-Za-z0-9]{6}$/

/**
 * A private folder for one run's concat list and staged links, named after
 * this process (`mv-ffmpeg-<pid>-XXXXXX`) so a sweep can tell a live run's
 * folder from a dead one's.
 */
export function makeScratchDir(parent = tmpdir()): Promise<string> {
  return mkdtemp(path.join(parent, `${PREFIX}${process.pid}-`))
}

/** Whether a process with this id runs on this machine now. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes scratch folders (see {@link makeScratchDir}) last changed more than
 * `olderThanMs` ago whose process is gone, and resolves with their paths.
 * A folder's age alone does not prove it dead: a run may read its staged
 * links for hours. Folders of other names are never touched.
 *
 * @example
 * ```ts
 * const removed = await sweepScratchDirs(60 * 60_000)
 * ```
 */
export async function sweepScratchDirs(olderThanMs: number, parent = tmpdir()): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[])
  const cutoff = Date.now() - olderThanMs
  const removed: string[] = []
  for (const name of names) {
    const match = SCRATCH_NAME.exec(name)
    if (!match) continue
    const pid = match[1] === undefined ? null : Number(match[1])
    if (pid !== null && alive(pid)) continue
    const folder = path.join(parent, name)
    const info = await stat(folder).catch(() => null)
    if (!info?.isDirectory() || info.mtimeMs >= cutoff) continue
    await rm(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}
