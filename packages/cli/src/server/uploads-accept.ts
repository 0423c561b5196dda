import { copyFile, link, rm, unlink } from 'node:fs/promises'
import path from 'node:path'
import { isMasterVideoError, type ProbeResult, type Transcoder } from '@mastervideo/core'
import { unsafeNameReason } from './safe-name.js'

/** The extensions an uploaded clip may have: the ones the projects API lists as clips. */
export const UPLOAD_EXTENSIONS = ['.mp4', '.mov', '.m4v', '.mkv', '.webm'] as const

/** How many " (2)", " (3)"… variants to try before giving up on a free name. */
const MAX_VARIANTS = 1000

/**
 * Why `filename` cannot be the name of an uploaded clip, in words the person
 * uploading can act on; `null` when it can. Any script is welcome (Cyrillic
 * included); refused are names unsafe as a file name (see
 * {@link unsafeNameReason}: separators, NUL and other controls, `..`-style
 * leading dots) and extensions the projects API does not list as clips.
 *
 * @example
 * ```ts
 * uploadNameReason('Клип 01.mp4') // null
 * uploadNameReason('../../etc/passwd') // 'The file name contains / …'
 * uploadNameReason('notes.txt') // 'Only .mp4, .mov, .m4v, .mkv or .webm files can be uploaded'
 * ```
 */
export function uploadNameReason(filename: string): string | null {
  const unsafe = unsafeNameReason(filename)
  if (unsafe) return `The file name ${unsafe}`
  const ext = path.extname(filename).toLowerCase()
  if (!(UPLOAD_EXTENSIONS as readonly string[]).includes(ext)) {
    return `Only ${UPLOAD_EXTENSIONS.slice(0, -1).join(', ')} or ${UPLOAD_EXTENSIONS.at(-1)} files can be uploaded`
  }
  return null
}

/** The clip an accepted upload became. */
export interface AcceptedUpload {
  /** The asset id: the file name inside the project folder (a " (2)" suffix when the name was taken). */
  assetId: string
  probe: ProbeResult
}

/** An upload refused after it arrived: the reason is for the person who sent it. */
export class UploadRefused extends Error {
  override name = 'UploadRefused'
}

/**
 * Probes a finished upload with the server's transcoder and, when it is a clip
 * the worker can join, moves it into `projectDir` under `filename` (or the
 * first free `name (n).ext`), never overwriting a clip already there. A file
 * the probe refuses (not a video, an HLS playlist or other container that can
 * open other files, a file cut short) is removed and the promise rejects with
 * {@link UploadRefused}, whose message names the file by the name it was sent
 * with, never by the staging path.
 *
 * @example
 * ```ts
 * const { assetId } = await acceptUpload({ staged, filename: 'Клип.mp4', projectDir, transcoder })
 * ```
 */
export async function acceptUpload(options: {
  staged: string
  filename: string
  projectDir: string
  transcoder: Transcoder
}): Promise<AcceptedUpload> {
  const { staged, filename, projectDir, transcoder } = options
  let probe: ProbeResult
  try {
    probe = await transcoder.probe(staged)
  } catch (error) {
    await rm(staged, { force: true })
    throw new UploadRefused(refusal(error, staged, filename), { cause: error })
  }
  const assetId = await moveWithoutOverwrite(staged, projectDir, filename)
  return { assetId, probe: { ...probe, path: path.join(projectDir, assetId) } }
}

/** The probe's reason with the staging file's name swapped for the name the person sent. */
function refusal(error: unknown, staged: string, filename: string): string {
  const base = JSON.stringify(path.basename(staged))
  if (isMasterVideoError(error) && error.code === 'INPUT_INVALID') {
    return error.message.replace(base, JSON.stringify(filename))
  }
  return `${JSON.stringify(filename)} is not a video we accept: the server could not read it`
}

/**
 * Moves `staged` to `dir/name`, or `dir/name (2).ext` and so on when taken.
 * `link` fails on an existing target, so two uploads of the same name at once
 * cannot overwrite each other (a plain rename would); across file systems it
 * falls back to an exclusive copy.
 */
async function moveWithoutOverwrite(staged: string, dir: string, name: string): Promise<string> {
  const ext = path.extname(name)
  const stem = name.slice(0, name.length - ext.length)
  for (let n = 1; n <= MAX_VARIANTS; n++) {
    const candidate = n === 1 ? name : `${stem} (${n})${ext}`
    const target = path.join(dir, candidate)
    try {
      await link(staged, target)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error
      try {
        await copyFile(staged, target, 1 /* COPYFILE_EXCL */)
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw copyError
      }
    }
    await unlink(staged)
    return candidate
  }
  await rm(staged, { force: true })
  throw new UploadRefused(`Too many clips named ${JSON.stringify(name)} in this project; rename the file`)
}
