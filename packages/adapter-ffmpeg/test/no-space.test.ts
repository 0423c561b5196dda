// A full disk, for real: the output folder is a tiny tmpfs (root only, where
// mount works; skipped elsewhere). The job ends NO_SPACE, goes back to the
// queue for later, leaves nothing half-written, and completes once there is room.
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  intervalPoller,
  localOutputStore,
  type MasterVideo,
  memoryRepository,
} from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { makeClips } from './fixtures.js'

const mount = (...args: string[]) => spawnSync('mount', args, { stdio: 'ignore' }).status === 0

/** Whether this process may mount a tmpfs (root in a container that allows it). */
function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  const probe = path.join(tmpdir(), `mv-tmpfs-probe-${process.pid}`)
  spawnSync('mkdir', ['-p', probe])
  const ok = mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe)
  if (ok) spawnSync('umount', [probe])
  spawnSync('rmdir', [probe])
  return ok
}

let root: string
let out: string
const enabled = canMountTmpfs()

beforeAll(async () => {
  if (!enabled) return
  root = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-nospace-'))
  out = path.join(root, 'out')
  await mkdir(out)
  expect(mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out)).toBe(true)
})
afterAll(async () => {
  if (!enabled) return
  spawnSync('umount', [out])
  await rm(root, { recursive: true, force: true })
})

describe.runIf(enabled)('a full output disk', () => {
  it('ends NO_SPACE, is retried later with nothing half-written, and completes once there is room', {
    timeout: 120_000,
  }, async () => {
    await mkdir(path.join(root, 'clips'))
    const clips = await makeClips(path.join(root, 'clips'), 3, { durationSec: 2, width: 640, height: 360 })
    const mv = createMasterVideos({
      repository: memoryRepository(),
      transcoder: ffmpegTranscoder(),
      assets: (shot) => path.join(root, 'clips', shot.assetId),
      output: localOutputStore(out),
    })
    const retrying: MasterVideo[] = []
    mv.on('retrying', (record) => retrying.push(record))
    try {
      mv.worker({ poller: intervalPoller(50), backoff: { baseMs: 1000, maxMs: 1000 } }).start()
      const job = await mv.create({ projectId: 'p', name: 'big', shots: clips.map((c) => path.basename(c)) })
      const deadline = Date.now() + 60_000
      while (retrying.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      expect(retrying[0]?.error?.code).toBe('NO_SPACE')
      expect(retrying[0]?.error?.message).not.toContain(out)
      expect(await mv.get(job.id)).toMatchObject({ status: 'created', attempts: 1 })
      // Nothing under a final name, and no temporary or partial file either.
      expect(await readdir(out)).toEqual([])

      // Space is freed; the retry, a second later, goes through.
      expect(mount('-o', 'remount,size=64m', out)).toBe(true)
      const done = await mv.waitFor(job.id, { pollMs: 50, timeoutMs: 60_000 })
      expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null })
      expect((await readdir(out)).sort()).toEqual([done.output?.key, done.thumbnailKey].sort())
    } finally {
      await mv.close({ graceMs: 0 })
    }
  })
})
