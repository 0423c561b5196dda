import { describe, expect, it } from 'vitest'
import { newLeaseToken } from '../record/ids.js'
import type { HlsOutput, RenditionOutput } from '../record/master-video.js'
import { expectCode } from './expect-code.js'
import {
  newJob,
  type RepositoryConformanceOptions,
  sampleOutput,
  suiteTitle,
  useRepository,
} from './repository-suite.js'

const renditions: RenditionOutput[] = [
  { name: '720p', key: 'k_1_720p.mp4', size: 7, width: 1280, height: 720, bitrate: 900_000 },
  { name: '480p', key: 'k_1_480p.mp4', size: 5, width: 854, height: 480, bitrate: 500_000 },
]
const hls: HlsOutput = {
  masterKey: 'k_1_hls.m3u8',
  segmentSec: 4,
  variants: [
    {
      name: '720p',
      playlistKey: 'k_1_hls_720p.m3u8',
      initKey: 'k_1_hls_720p_init.mp4',
      segmentKeys: ['k_1_hls_720p_00001.m4s', 'k_1_hls_720p_00002.m4s'],
      width: 1280,
      height: 720,
      bandwidth: 1_200_000,
      averageBandwidth: 900_000,
      codecs: 'avc1.64001f,mp4a.40.2',
    },
  ],
}

/**
 * Registers the tests of a job with renditions: `checkpoint` names the
 * master under the lease and keeps it (`processing` -> `processing`, lease,
 * attempts and progress unchanged), is recognised when repeated, is fenced
 * by the lease, survives a requeue and a manual retry without new options;
 * `complete` stores the renditions, skipped renditions and HLS ladder and
 * reads them back unchanged.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryCheckpointConformance } from '@mastervideo/core/testing'
 *
 * repositoryCheckpointConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryCheckpointConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('checkpoint and renditions', options), () => {
    const t = useRepository(options)
    const output = sampleOutput

    it('checkpoint: the master is named, the job stays processing under the same lease', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      await t.repository.heartbeat(lease, { leaseMs: 30_000, progress: 0.4 })
      const saved = await t.repository.checkpoint(lease, { output, thumbnailKey: 'k.jpg' })
      expect(saved).toMatchObject({
        status: 'processing',
        output,
        thumbnailKey: 'k.jpg',
        leaseToken: lease.token,
        attempts: 1,
        progress: 0.4,
      })
      expect(await t.stored(record.id)).toMatchObject({ status: 'processing', leaseToken: lease.token })
      // Repeated after a lost reply: the stored record.
      expect((await t.repository.checkpoint(lease, { output, thumbnailKey: 'k.jpg' })).output).toEqual(output)
      expect((await t.repository.heartbeat(lease, { leaseMs: 30_000 })).ok).toBe(true)
      const other = { ...lease, token: newLeaseToken() }
      await expectCode(t.repository.checkpoint(other, { output, thumbnailKey: null }), 'LEASE_LOST')

      const done = await t.repository.complete(lease, {
        output,
        thumbnailKey: 'k.jpg',
        renditions,
        skippedRenditions: [{ name: '1080p', reason: 'taller than the master' }],
        hls,
      })
      expect(done).toMatchObject({ status: 'completed', renditions, hls, leaseToken: null })
      expect(await t.repository.get(record.id)).toEqual(done)
      // The same complete again is recognised by its files; another ladder is not.
      expect(
        await t.repository.complete(lease, {
          output,
          thumbnailKey: 'k.jpg',
          renditions,
          skippedRenditions: [],
          hls,
        }),
      ).toEqual(done)
      await expectCode(
        t.repository.complete(lease, {
          output,
          thumbnailKey: 'k.jpg',
          renditions,
          hls: { ...hls, masterKey: 'k_2_hls.m3u8' },
        }),
        'LEASE_LOST',
      )
    })

    it('a checkpointed master survives a requeue and a manual retry; new encoding options drop it', async () => {
      const { record } = await t.repository.create(newJob())
      const { lease } = await t.claimOne()
      await t.repository.checkpoint(lease, { output, thumbnailKey: null })
      const requeued = await t.repository.fail(
        lease,
        { code: 'TIMEOUT', message: 'slow' },
        { retryAt: new Date() },
      )
      expect(requeued).toMatchObject({ status: 'created', output })
      const again = await t.claimOne()
      expect(again.record.output).toEqual(output)
      await t.repository.fail(again.lease, { code: 'TRANSCODE_FAILED', message: 'x' })
      expect((await t.repository.retry(record.id)).output).toEqual(output)
      await t.repository.cancel(record.id)
      expect(await t.repository.retry(record.id, { encoding: { crf: 20 } })).toMatchObject({
        output: null,
        thumbnailKey: null,
      })
    })
  })
}
