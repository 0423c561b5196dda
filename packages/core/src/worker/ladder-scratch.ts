import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

// `mastervideo-ladder-<pid>-XXXXXX`: the pid tells a live run's folder from a dead one's.
const SCRATCH_NAME = /^mastervideo-ladder-(\d+)-[A-Za-z0-9]{6}$/

/**
 * A private folder for one ladder (the master downloaded from a store
 * without local files, the files the transcoder writes before they are
 * committed), named after this process so {@link sweepLadderScratch} can
 * tell a crashed run's folder from a live one's.
 */
export function makeLadderScratch(parent = tmpdir()): Promise<string> {
  return mkdtemp(path.join(parent, `mastervideo-ladder-${process.pid}-`))
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
 * Removes ladder scratch folders whose process is gone, last changed more
 * than `olderThanMs` ago (a worker killed mid-ladder), and resolves with
 * their paths. Folders of other names, and of live processes, are never touched.
 *
 * @example
 * ```ts
 * const removed = await sweepLadderScratch(60 * 60_000)
 * ```
 */
export async function sweepLadderScratch(olderThanMs: number, parent = tmpdir()): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[])
  const cutoff = Date.now() - olderThanMs
  const removed: string[] = []
  for (const name of names) {
    const match = SCRATCH_NAME.exec(name)
    if (!match || alive(Number(match[1]))) continue
    const folder = path.join(parent, name)
    const info = await stat(folder).catch(() => null)
    if (!info?.isDirectory() || info.mtimeMs >= cutoff) continue
    await rm(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}
