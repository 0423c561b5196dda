import { link, symlink } from 'node:fs/promises'
import path from 'node:path'

/** One `file` entry of a concat demuxer list. */
export interface ConcatListEntry {
  /** Absolute path of the clip. */
  path: string
  /** Seconds to skip at the start (`inpoint`). */
  inpoint?: number | undefined
  /** Second at which to stop (`outpoint`). */
  outpoint?: number | undefined
  /** Seconds the clip lasts in the join (`duration`): where the next clip's timestamps start. */
  duration?: number | undefined
}

// The demuxer reads its list line by line: no quoting can carry a line break
// (or another control character) inside a path.
const UNREPRESENTABLE = /[\u0000-\u001f\u007f]/

/** Whether `file` can be written in a concat list at all. */
export function representableInConcatList(file: string): boolean {
  return !UNREPRESENTABLE.test(file)
}

/**
 * Quotes a path for a concat demuxer list. Inside single quotes the demuxer's
 * tokenizer takes every character literally, so the only character to handle
 * is the quote itself: close the quote, write an escaped quote, reopen
 * (`it's` becomes `'it'\''s'`), the same rule as a POSIX shell.
 *
 * @example
 * ```ts
 * import { quoteConcatPath } from '@mastervideo/adapter-ffmpeg'
 *
 * console.log(quoteConcatPath("/clips/it's.mp4")) // '/clips/it'\''s.mp4'
 * ```
 */
export function quoteConcatPath(file: string): string {
  if (!representableInConcatList(file)) {
    throw new Error(`a concat list cannot carry the path ${JSON.stringify(file)}`)
  }
  return `'${file.replaceAll("'", "'\\''")}'`
}

function seconds(value: number): string {
  return value.toFixed(6)
}

/**
 * Writes the text of a concat demuxer list (`ffconcat version 1.0`) for the
 * entries, with `inpoint`/`outpoint` for trimmed clips.
 *
 * @example
 * ```ts
 * import { concatListText } from '@mastervideo/adapter-ffmpeg'
 *
 * console.log(concatListText([{ path: '/clips/a b.mp4', inpoint: 1 }]))
 * ```
 */
export function concatListText(entries: ConcatListEntry[]): string {
  const lines = ['ffconcat version 1.0']
  for (const entry of entries) {
    lines.push(`file ${quoteConcatPath(entry.path)}`)
    if (entry.inpoint !== undefined && entry.inpoint > 0) lines.push(`inpoint ${seconds(entry.inpoint)}`)
    if (entry.outpoint !== undefined) lines.push(`outpoint ${seconds(entry.outpoint)}`)
    if (entry.duration !== undefined) lines.push(`duration ${seconds(entry.duration)}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * Gives a clip whose path a list cannot carry a plain name in our private
 * directory: a hard link when the file system allows it (it pins the very
 * file we probed), else a symbolic link.
 */
export async function stagePlainName(file: string, privateDir: string, index: number): Promise<string> {
  // ffmpeg finds the container from the content (within the allow-list), not the name.
  const staged = path.join(privateDir, `clip-${index}`)
  try {
    await link(file, staged)
  } catch {
    await symlink(file, staged)
  }
  return staged
}
