import { describe, expect, it } from 'vitest'
import {
  AssetNotFoundError,
  ERROR_CODES,
  isMasterVideoError,
  isRetryableCode,
  TimeoutError,
  toMasterVideoError,
  withoutPaths,
} from './errors.js'

describe('errors', () => {
  it('has the stable codes, each retryable or not', () => {
    for (const code of [
      'NOT_FOUND',
      'ILLEGAL_TRANSITION',
      'VALIDATION',
      'ASSET_NOT_FOUND',
      'INPUT_INVALID',
      'TRANSCODE_FAILED',
      'TIMEOUT',
      'CANCELED',
      'NO_SPACE',
      'LEASE_LOST',
    ]) {
      expect(ERROR_CODES).toContain(code)
    }
    expect(isRetryableCode('TIMEOUT')).toBe(true)
    expect(isRetryableCode('INPUT_INVALID')).toBe(false)
  })

  it('subclasses carry their code, a cause, and can override retryability', () => {
    const cause = new Error('root')
    const error = new AssetNotFoundError('missing', { cause, retryable: true })
    expect(isMasterVideoError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'ASSET_NOT_FOUND',
      retryable: true,
      name: 'AssetNotFoundError',
      cause,
    })
  })

  it('the guard accepts mastervideo errors only', () => {
    expect(isMasterVideoError(new TimeoutError('x'))).toBe(true)
    expect(isMasterVideoError(Object.assign(new Error('x'), { code: 'ENOENT', retryable: false }))).toBe(
      false,
    )
    expect(isMasterVideoError({ code: 'TIMEOUT', retryable: true })).toBe(false)
    expect(isMasterVideoError(null)).toBe(false)
  })

  it('wraps foreign errors: ENOSPC becomes NO_SPACE, the rest INTERNAL', () => {
    const enospc = Object.assign(new Error('write failed'), { code: 'ENOSPC' })
    expect(toMasterVideoError(enospc)).toMatchObject({ code: 'NO_SPACE', cause: enospc })
    expect(toMasterVideoError('weird')).toMatchObject({ code: 'INTERNAL', retryable: true })
    const own = new TimeoutError('t')
    expect(toMasterVideoError(own)).toBe(own)
  })

  it('wraps with a context and an origin, and keeps server paths out of the message', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/srv/data/out/a.mp4'"), {
      code: 'ENOENT',
    })
    const error = toMasterVideoError(enoent, { context: 'cannot open the video', origin: '@mastervideo/x' })
    expect(error).toMatchObject({
      code: 'INTERNAL',
      origin: '@mastervideo/x',
      cause: enoent,
      details: { context: 'cannot open the video' },
    })
    expect(error.message).toBe("cannot open the video: ENOENT: no such file or directory, open 'a.mp4'")
    const full = toMasterVideoError(Object.assign(new Error('write /srv/x'), { code: 'ENOSPC' }), {
      context: 'cannot commit the video',
    })
    expect(full.message).toBe('cannot commit the video: no space left on device')
    expect(full.message).not.toMatch(/\[mastervideo/)
  })

  it.each([
    ["open '/srv/v/a.mp4'", "open 'a.mp4'"],
    ['C:\\media\\clips\\b.mov failed', 'b.mov failed'],
    ['clips/a.mp4 is relative', 'clips/a.mp4 is relative'],
    ['1/2 of the frames', '1/2 of the frames'],
  ])('withoutPaths(%j) is %j', (input, expected) => {
    expect(withoutPaths(input)).toBe(expected)
  })
})
