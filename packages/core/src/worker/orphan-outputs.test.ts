import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { localOutputStore } from '../output/local-output-store.js'
import type { OutputStore } from '../output/output-store.js'
import type { MasterVideo } from '../record/master-video.js'
import { initialRecord } from '../record/state-machine.js'
import { memoryRepository } from '../repository/memory-repository.js'
import { orphanVerdict, parseOutputKey, sweepOrphanOutputs } from './orphan-outputs.js'

const ID = 'master_1700000000000_abcd1234'
const T0 = 1_700_000_100_000

function job(patch: Partial<MasterVideo>): MasterVideo {
  const base = initialRecord(
    {
      id: ID,
      projectId: 'p',
      name: 'n',
      shots: [{ assetId: 'a.mp4' }],
      maxAttempts: 3,
      encoding: {},
      idempotencyKey: null,
    },
    new Date(T0),
  )
  return { ...base, ...patch }
}

const output = (key: string) => ({
  key,
  size: 1,
  durationSec: 1,
  width: 320,
  height: 240,
  strategy: 'copy' as const,
})

describe('parseOutputKey', () => {
  it.each([
    [`${ID}_${T0}.mp4`, { id: ID, writtenAt: T0 }],
    [`${ID}_${T0}.jpg`, { id: ID, writtenAt: T0 }],
    [`${ID}_${T0}_720p.mp4`, { id: ID, writtenAt: T0 }],
    [`${ID}_${T0}_hls_480p_00001.m4s`, { id: ID, writtenAt: T0 }],
    [`custom_id_${T0}.mp4`, { id: 'custom_id', writtenAt: T0 }],
    ['notes.txt', null],
    ['holiday.mp4', null],
    ['clip_17.mp4', null],
  ])('%s', (key, expected) => {
    expect(parseOutputKey(key)).toEqual(expected)
  })
})

describe('orphanVerdict: what a fresh read of the job decides', () => {
  const key = `${ID}_${T0}.mp4`
  it.each<[string, MasterVideo | null, string, 'keep' | 'remove']>([
    ['named master of a completed job', job({ status: 'completed', output: output(key) }), key, 'keep'],
    [
      'named poster',
      job({ status: 'completed', output: output(key), thumbnailKey: `${ID}_${T0}.jpg` }),
      `${ID}_${T0}.jpg`,
      'keep',
    ],
    [
      'named rendition',
      job({
        status: 'completed',
        output: output(key),
        renditions: [
          { name: '480p', key: `${ID}_${T0}_480p.mp4`, size: 1, width: 640, height: 480, bitrate: 1 },
        ],
      }),
      `${ID}_${T0}_480p.mp4`,
      'keep',
    ],
    [
      'named HLS segment',
      job({
        status: 'completed',
        output: output(key),
        hls: {
          masterKey: `${ID}_${T0}_hls.m3u8`,
          segmentSec: 2,
          variants: [
            {
              name: '480p',
              playlistKey: `${ID}_${T0}_hls_480p.m3u8`,
              initKey: `${ID}_${T0}_hls_480p_init.mp4`,
              segmentKeys: [`${ID}_${T0}_hls_480p_00001.m4s`],
              width: 640,
              height: 480,
              bandwidth: 1,
              averageBandwidth: 1,
              codecs: 'avc1.64001e,mp4a.40.2',
            },
          ],
        },
      }),
      `${ID}_${T0}_hls_480p_00001.m4s`,
      'keep',
    ],
    [
      'another attempt completed the job',
      job({ status: 'completed', output: output(`${ID}_${T0 + 9_000_000}.mp4`) }),
      key,
      'remove',
    ],
    ['job failed without naming it', job({ status: 'failed' }), key, 'remove'],
    ['job requeued after the writer died', job({ status: 'created', attempts: 1 }), key, 'remove'],
    ['job canceled', job({ status: 'canceled' }), key, 'remove'],
    [
      'running attempt may be between commit and complete',
      job({ status: 'processing', startedAt: new Date(T0 - 1000) }),
      key,
      'keep',
    ],
    [
      'running attempt started long after the file',
      job({ status: 'processing', startedAt: new Date(T0 + 3_600_000) }),
      key,
      'remove',
    ],
    ['job deleted, generated id', null, key, 'remove'],
    ['no such job and an id we did not generate (a host file)', null, `holiday_${T0}.mp4`, 'keep'],
  ])('%s', (_case, record, fileKey, verdict) => {
    expect(orphanVerdict(fileKey, parseOutputKey(fileKey)?.writtenAt ?? 0, record)).toBe(verdict)
  })
})

describe('sweepOrphanOutputs on a real folder', () => {
  let dir: string
  let store: OutputStore
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mv-orphans-'))
    store = localOutputStore(dir)
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function put(key: string, ageMs: number) {
    const pending = await store.prepare(key)
    await writeFile(pending.path, 'x')
    await pending.commit()
    const when = new Date(Date.now() - ageMs)
    await utimes(path.join(dir, key), when, when)
  }

  it('removes a crashed attempt’s committed video and poster, keeps every named, recent or foreign file', async () => {
    const repository = memoryRepository()
    const { record } = await repository.create({
      id: ID,
      projectId: 'p',
      name: 'n',
      shots: [{ assetId: 'a.mp4' }],
      maxAttempts: 3,
      encoding: {},
      idempotencyKey: null,
    })
    const lease = { id: ID, token: 't1', workerId: 'w' }
    await repository.claim({ workerId: 'w', leaseToken: 't1', leaseMs: 60_000 })
    const hour = 60 * 60_000
    const named = `${ID}_${T0 + 5}.mp4`
    await repository.complete(lease, { output: output(named), thumbnailKey: null })
    // The attempt a SIGKILL cut short between its commit and its complete.
    await put(`${ID}_${T0}.mp4`, 2 * hour)
    await put(`${ID}_${T0}.jpg`, 2 * hour)
    await put(named, 2 * hour)
    // A job deleted since, whose crashed attempt left a file.
    await put(`master_1700000000001_zzzz9999_${T0}.mp4`, 2 * hour)
    // A host's own files in the same folder, and a fresh unnamed file.
    await put(`holiday_${T0}.mp4`, 2 * hour)
    await put('notes.txt', 2 * hour)
    await put(`${ID}_${T0 + 7}.mp4`, 0)
    // Outside the window: not looked at.
    await put(`${ID}_${T0 + 8}.mp4`, 30 * 24 * hour)

    const removed = await sweepOrphanOutputs({
      output: store,
      repository,
      olderThanMs: hour,
      windowMs: 7 * 24 * hour,
    })
    expect(removed.sort()).toEqual(
      [`${ID}_${T0}.jpg`, `${ID}_${T0}.mp4`, `master_1700000000001_zzzz9999_${T0}.mp4`].sort(),
    )
    const left = (await store.list?.(0))?.map((file) => file.key).sort()
    expect(left).toEqual(
      [named, `${ID}_${T0 + 7}.mp4`, `${ID}_${T0 + 8}.mp4`, `holiday_${T0}.mp4`, 'notes.txt'].sort(),
    )
    expect(record.id).toBe(ID)
  })
})
