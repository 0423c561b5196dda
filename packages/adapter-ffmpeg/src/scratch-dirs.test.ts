import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeScratchDir, sweepScratchDirs } from './scratch-dirs.js'

let parent: string
beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'mv-scratch-'))
})
afterEach(async () => {
  await rm(parent, { recursive: true, force: true })
})

describe('sweepScratchDirs', () => {
  it('removes old folders of dead processes only', async () => {
    // A pid that surely belonged to a process that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number
    const hoursAgo = new Date(Date.now() - 3 * 60 * 60_000)
    const make = async (name: string, old: boolean) => {
      await mkdir(path.join(parent, name))
      await writeFile(path.join(parent, name, 'concat.txt'), "file 'a.mp4'\n")
      if (old) await utimes(path.join(parent, name), hoursAgo, hoursAgo)
    }
    await make(`mv-ffmpeg-${deadPid}-aB3xYz`, true) // crashed run: goes
    await make('mv-ffmpeg-Qw7eRt', true) // an earlier version's name, old: goes
    await make(`mv-ffmpeg-${process.pid}-live01`, true) // old, but its process runs: stays
    await make(`mv-ffmpeg-${deadPid}-fresh1`, false) // too young to judge: stays
    await make('mv-ffmpeg-concat-abcdef', true) // not a name we make: stays
    await writeFile(path.join(parent, 'mv-ffmpeg-file00'), 'x') // not a folder: stays
    await utimes(path.join(parent, 'mv-ffmpeg-file00'), hoursAgo, hoursAgo)

    const removed = await sweepScratchDirs(60 * 60_000, parent)
    expect(removed.map((p) => path.basename(p)).sort()).toEqual(
      [`mv-ffmpeg-${deadPid}-aB3xYz`, 'mv-ffmpeg-Qw7eRt'].sort(),
    )
    expect((await readdir(parent)).sort()).toEqual(
      [
        `mv-ffmpeg-${process.pid}-live01`,
        `mv-ffmpeg-${deadPid}-fresh1`,
        'mv-ffmpeg-concat-abcdef',
        'mv-ffmpeg-file00',
      ].sort(),
    )
  })

  it('names a new folder after this process, so it is spared while the process lives', async () => {
    const made = await makeScratchDir(parent)
    expect(path.basename(made)).toMatch(new RegExp(`^mv-ffmpeg-${process.pid}-[A-Za-z0-9]{6}$`))
    const hoursAgo = new Date(Date.now() - 3 * 60 * 60_000)
    await utimes(made, hoursAgo, hoursAgo)
    expect(await sweepScratchDirs(0, parent)).toEqual([])
    expect(await sweepScratchDirs(0, path.join(parent, 'missing'))).toEqual([])
  })
})
