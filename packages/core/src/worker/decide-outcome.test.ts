import { describe, expect, it } from 'vitest'
import {
  CanceledError,
  InputInvalidError,
  LeaseLostError,
  type MasterVideoError,
  TimeoutError,
  TranscodeFailedError,
  toMasterVideoError,
} from '../errors.js'
import { type AbortKind, decideOutcome } from './decide-outcome.js'

const now = 1_000_000
// random() = 1: the backoff is its ceiling, min(maxMs, baseMs * 2^(attempt-1)).
const options = { now, random: () => 1, backoff: { baseMs: 100, maxMs: 1000 } }

const transcode = new TranscodeFailedError('ffmpeg failed')
const invalid = new InputInvalidError('clip 2 is not a video')
const timeout = new TimeoutError('job ran longer than 100 ms')
const canceled = new CanceledError('canceled')
const leaseLost = new LeaseLostError('lease lost')
const forcedRetry = new InputInvalidError('try again', { retryable: true })

type Row = [
  what: string,
  error: MasterVideoError,
  attempts: number,
  maxAttempts: number,
  abortKind: AbortKind | null,
  expected: string,
]

// expected: 'retry +<ms>' | 'fail <CODE>' | 'release' | 'nothing <because>'
const rows: Row[] = [
  ['a retryable error with attempts left', transcode, 1, 3, null, 'retry +100'],
  ['the second retry waits twice as long', transcode, 2, 3, null, 'retry +200'],
  ['the wait stops at maxMs', transcode, 5, 9, null, 'retry +1000'],
  ['a retryable error on the last attempt', transcode, 3, 3, null, 'fail TRANSCODE_FAILED'],
  ['a non-retryable error', invalid, 1, 3, null, 'fail INPUT_INVALID'],
  ['an error made retryable by its thrower', forcedRetry, 1, 3, null, 'retry +100'],
  [
    'an unexpected error is INTERNAL, retryable',
    toMasterVideoError(new Error('bug')),
    1,
    3,
    null,
    'retry +100',
  ],
  ['a timeout with attempts left', timeout, 1, 3, 'timeout', 'retry +100'],
  ['a timeout on the last attempt', timeout, 1, 1, 'timeout', 'fail TIMEOUT'],
  ['a cancel', canceled, 1, 3, 'cancel', 'nothing canceled'],
  ['a cancel whatever the error', transcode, 3, 3, 'cancel', 'nothing canceled'],
  ['a lease lost by the heartbeat', leaseLost, 1, 3, 'lease', 'nothing lease-lost'],
  ['a lease lost at the final write', leaseLost, 1, 3, null, 'nothing lease-lost'],
  ['a shutdown', canceled, 1, 3, 'shutdown', 'release'],
  ['a shutdown on the last attempt', canceled, 3, 3, 'shutdown', 'release'],
]

describe('decideOutcome', () => {
  it.each(rows)('%s -> %s', (_what, error, attempts, maxAttempts, abortKind, expected) => {
    const outcome = decideOutcome(error, { attempts, maxAttempts }, abortKind, options)
    switch (outcome.kind) {
      case 'retry':
        expect(`retry +${outcome.delayMs}`).toBe(expected)
        expect(outcome.at).toEqual(new Date(now + outcome.delayMs))
        expect(outcome.error).toEqual({ code: error.code, message: error.message })
        break
      case 'fail':
        expect(`fail ${outcome.error.code}`).toBe(expected)
        expect(outcome.error.message).toBe(error.message)
        break
      case 'release':
        expect('release').toBe(expected)
        break
      case 'nothing':
        expect(`nothing ${outcome.because}`).toBe(expected)
        break
    }
  })

  // A SIGTERM to the whole process group or cgroup reaches ffmpeg as the worker starts to stop.
  it.each([
    ['a retryable failure while stopping releases', transcode, 1, 'release'],
    ['even on the last attempt', transcode, 3, 'release'],
    ['a non-retryable failure while stopping still fails', invalid, 1, 'fail'],
  ] as const)('%s', (_what, error, attempts, expected) => {
    const outcome = decideOutcome(error, { attempts, maxAttempts: 3 }, null, { ...options, stopping: true })
    expect(outcome.kind).toBe(expected)
  })

  it('jitters the wait between half and all of the ceiling', () => {
    const low = decideOutcome(transcode, { attempts: 1, maxAttempts: 3 }, null, {
      ...options,
      random: () => 0,
    })
    expect(low).toMatchObject({ kind: 'retry', delayMs: 50 })
  })
})
