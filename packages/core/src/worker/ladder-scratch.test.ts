import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeLadderScratch, sweepLadderScratch } from './ladder-scratch.js'

let parent: string
beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'mv-ladder-scratch-'))
})
afterEach(async () => {
  await rm(parent, { recursive: true, force: true })
})

describe('ladder scratch folders', () => {
  it('sweeps old folders of dead processes only', async () => {
    // A pid that existed and is gone now.
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number
    const hourAgo = new Date(Date.now() - 60 * 60_000)
    const old = path.join(parent, `mastervideo-ladder-${dead}-abcdef`)
    const recent = path.join(parent, `mastervideo-ladder-${dead}-ghijkl`)
    const mine = await makeLadderScratch(parent)
    const other = path.join(parent, 'mastervideo-ladder-other')
    for (const folder of [old, recent, other]) await mkdir(folder)
    for (const folder of [old, mine, other]) await utimes(folder, hourAgo, hourAgo)

    expect(await sweepLadderScratch(30 * 60_000, parent)).toEqual([old])
    expect((await readdir(parent)).sort()).toEqual(
      [path.basename(recent), path.basename(mine), path.basename(other)].sort(),
    )
  })
})
