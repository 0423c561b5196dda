import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LeaseLostError, StorageError } from '../errors.js'
import { localOutputStore } from '../output/local-output-store.js'
import type { MasterVideo, MasterVideoOutput } from '../record/master-video.js'
import { initialRecord } from '../record/state-machine.js'
import { silentLogger } from '../support/logger.js'
import { testTranscoder, writeTestClip } from '../testing/test-transcoder.js'
import { type RunJobContext, runJob } from './run-job.js'

// What runJob does with the files it committed when complete() throws: keep
// them unless a fresh read proves the record does not name them.
describe('runJob after complete() throws', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mv-run-job-'))
    await writeTestClip(join(dir, 'clip.bin'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const job = (): MasterVideo => ({
    ...initialRecord(
      {
        id: 'master_1_abcdefgh',
        projectId: 'p1',
        name: 'n',
        shots: [{ assetId: 'a.mp4' }],
        maxAttempts: 1,
        encoding: {},
        idempotencyKey: null,
      },
      new Date(),
    ),
    status: 'processing',
  })

  function context(overrides: Partial<RunJobContext>): RunJobContext {
    return {
      record: job(),
      transcoder: testTranscoder({ durationMs: 1 }),
      assets: { resolve: async () => join(dir, 'clip.bin') },
      output: localOutputStore(dir),
      logger: silentLogger,
      signal: new AbortController().signal,
      onProgress: () => {},
      complete: async () => {
        throw new LeaseLostError('lost')
      },
      ...overrides,
    }
  }
  const completedWith = (output: MasterVideoOutput): MasterVideo => ({
    ...job(),
    status: 'completed',
    output,
  })
  const videos = async () => (await readdir(dir)).filter((f) => f.endsWith('.mp4'))

  it('the complete did land (its reply was lost): the record is returned and the video stays', async () => {
    let written: MasterVideoOutput | null = null
    const done = await runJob(
      context({
        complete: async ({ output }) => {
          written = output
          throw new StorageError('connection terminated', { retryable: true })
        },
        read: async () => (written ? completedWith(written) : null),
      }),
    )
    expect(done.output?.key).toBe((written as MasterVideoOutput | null)?.key)
    expect(await videos()).toEqual([done.output?.key])
  })

  it('the record provably names another output: the files are deleted', async () => {
    const other = {
      key: 'other.mp4',
      size: 1,
      durationSec: 1,
      width: 1,
      height: 1,
      strategy: 'copy' as const,
    }
    await expect(runJob(context({ read: async () => completedWith(other) }))).rejects.toMatchObject({
      code: 'LEASE_LOST',
    })
    expect(await videos()).toEqual([])
  })

  it('no read succeeds (or none is given): the files are kept', async () => {
    await expect(runJob(context({}))).rejects.toMatchObject({ code: 'LEASE_LOST' })
    expect(await videos()).toHaveLength(1)
  }, 10_000)
})
