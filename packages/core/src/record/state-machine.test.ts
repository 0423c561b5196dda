import { describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import { newJob } from '../testing/repository-conformance.js'
import type { MasterVideo, MasterVideoStatus } from './master-video.js'
import { STATUSES } from './master-video.js'
import {
  applyTransition,
  canTransition,
  initialRecord,
  TRANSITIONS,
  type TransitionEvent,
  transition,
} from './state-machine.js'

const expected: Record<TransitionEvent, Partial<Record<MasterVideoStatus, MasterVideoStatus>>> = {
  claim: { created: 'processing' },
  complete: { processing: 'completed' },
  checkpoint: { processing: 'processing' },
  requeue: { processing: 'created' },
  fail: { processing: 'failed' },
  cancel: { created: 'canceled', processing: 'canceled' },
  retry: { failed: 'created', canceled: 'created' },
}

/** A record in `status` that is mid-life: attempts made, a lease, some progress. */
function record(status: MasterVideoStatus): MasterVideo {
  const now = new Date()
  const base = initialRecord(newJob(), now)
  return {
    ...base,
    status,
    progress: 0.5,
    attempts: 2,
    leaseOwner: 'w',
    leaseToken: 't',
    leaseExpiresAt: now,
    startedAt: now,
  }
}

describe('state machine', () => {
  for (const event of Object.keys(TRANSITIONS) as TransitionEvent[]) {
    for (const from of STATUSES) {
      const to = expected[event][from]
      it(`${event} from ${from}: ${to ?? 'ILLEGAL_TRANSITION'}`, () => {
        expect(canTransition(from, event)).toBe(to !== undefined)
        if (to) {
          expect(transition(from, event)).toBe(to)
        } else {
          let error: unknown
          try {
            transition(from, event, 'master_1_x')
          } catch (e) {
            error = e
          }
          expect(isMasterVideoError(error) && error.code).toBe('ILLEGAL_TRANSITION')
          expect((error as Error).message).toContain(`Cannot ${event} a ${from} job (master_1_x)`)
        }
      })
    }
  }

  it('claim counts an attempt and sets a lease; release refunds it', () => {
    const now = new Date(1_000_000)
    const claimed = applyTransition(
      record('created'),
      'claim',
      { workerId: 'w2', leaseToken: 'new', leaseMs: 500 },
      now,
    )
    expect(claimed).toMatchObject({
      status: 'processing',
      attempts: 3,
      leaseOwner: 'w2',
      leaseToken: 'new',
      progress: 0,
    })
    expect(claimed.leaseExpiresAt?.getTime()).toBe(1_000_500)
    const back = applyTransition(claimed, 'requeue', { runAt: now, error: null, refundAttempt: true }, now)
    expect(back).toMatchObject({ status: 'created', attempts: 2, leaseToken: null, leaseOwner: null })
  })

  it('retry resets attempts, error and output', () => {
    const failed = { ...record('failed'), error: { code: 'TIMEOUT' as const, message: 'x' } }
    expect(applyTransition(failed, 'retry', {}, new Date())).toMatchObject({
      status: 'created',
      attempts: 0,
      error: null,
      output: null,
    })
  })

  it('checkpoint names the master and keeps the lease, progress and attempts', () => {
    const running = record('processing')
    const output = { key: 'm.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }
    const next = applyTransition(running, 'checkpoint', { output, thumbnailKey: 'm.jpg' }, new Date())
    expect(next).toMatchObject({
      status: 'processing',
      output,
      thumbnailKey: 'm.jpg',
      leaseToken: 't',
      progress: 0.5,
      attempts: 2,
    })
    // A requeue keeps it for the next attempt; so does a manual retry without new options.
    const back = applyTransition(
      next,
      'requeue',
      { runAt: new Date(), error: null, refundAttempt: false },
      new Date(),
    )
    expect(back.output).toEqual(output)
    const failed = applyTransition(
      next,
      'fail',
      { error: { code: 'TRANSCODE_FAILED', message: 'x' } },
      new Date(),
    )
    expect(applyTransition(failed, 'retry', {}, new Date())).toMatchObject({ output, thumbnailKey: 'm.jpg' })
    expect(applyTransition(failed, 'retry', { encoding: { crf: 20 } }, new Date())).toMatchObject({
      output: null,
      thumbnailKey: null,
    })
  })

  it('does not mutate the record it is given', () => {
    const before = record('processing')
    const copy = structuredClone(before)
    applyTransition(before, 'fail', { error: { code: 'INTERNAL', message: 'x' } }, new Date())
    expect(before).toEqual(copy)
  })
})
