import { describe, expect, it } from 'vitest'
import type { MasterVideo } from '../record/master-video.js'
import { applyTransition, initialRecord } from '../record/state-machine.js'
import { transitionLanded, transitionRequests, transitionWrite } from './transition-write.js'

// How a repository recognises its own write after the reply was lost.
const t0 = new Date('2026-01-01T00:00:00.000Z')
const lease = { id: 'master_1_abcdefgh', token: 'tok', workerId: 'w1' }
const output = { key: 'mine.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }

function processing(): MasterVideo {
  const created = initialRecord(
    {
      id: lease.id,
      projectId: 'p',
      name: 'n',
      shots: [{ assetId: 'a' }],
      maxAttempts: 3,
      encoding: {},
      idempotencyKey: null,
    },
    t0,
  )
  return applyTransition(created, 'claim', { workerId: 'w1', leaseToken: 'tok', leaseMs: 1000 }, t0)
}

describe('transitionLanded', () => {
  it('complete: recognised by its output key, whoever reads it', () => {
    const request = transitionRequests.complete(lease, { output, thumbnailKey: null })
    const done = transitionWrite(request, processing(), new Date(t0.getTime() + 5), 'x').record
    expect(transitionLanded(request, done)).toBe(true)
    expect(transitionLanded(request, { ...done, output: { ...output, key: 'theirs.mp4' } })).toBe(false)
    expect(transitionLanded(request, processing())).toBe(false)
    expect(transitionLanded(request, null)).toBe(false)
  })

  it('fail and release: recognised only as the row they planned', () => {
    for (const request of [
      transitionRequests.release(lease),
      transitionRequests.fail(lease, { code: 'TIMEOUT', message: 'slow' }, { retryAt: t0 }),
      transitionRequests.fail(lease, { code: 'INPUT_INVALID', message: 'bad' }),
    ]) {
      const planned = transitionWrite(request, processing(), new Date(t0.getTime() + 7), 'x').record
      expect(transitionLanded(request, planned, planned)).toBe(true)
      // Without the plan there is nothing to recognise.
      expect(transitionLanded(request, planned)).toBe(false)
      // Another write at another moment is not ours.
      expect(transitionLanded(request, { ...planned, updatedAt: new Date(t0.getTime() + 8) }, planned)).toBe(
        false,
      )
      // Not written yet: the row is as it was read.
      expect(transitionLanded(request, processing(), planned)).toBe(false)
    }
  })
})
