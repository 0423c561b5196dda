import { ERROR_CODES, type JobError, type MasterVideo } from '@mastervideo/core'
import { initialRecord } from '@mastervideo/core/adapter'
import { describe, expect, it } from 'vitest'
import { publicError, recordJson } from './record-json.js'

const stderr = [
  '[mov,mp4] /srv/mastervideo/data/projects/p1/secret-clip.mp4: Invalid data found when processing input',
  'Error opening input files: Invalid data found when processing input',
].join('\n')

describe('publicError', () => {
  it.each([
    [
      'TRANSCODE_FAILED',
      `The join by re-encoding failed (exit code 1)\n${stderr}`,
      'The clips could not be joined',
    ],
    [
      'STORAGE',
      'connect ECONNREFUSED 10.0.4.17:5432 (db-primary.internal)',
      'The server could not store the job',
    ],
    ['INTERNAL', "EACCES: permission denied, open '/srv/x.mp4'", 'Internal server error'],
    ['NO_SPACE', 'cannot commit /srv/out/a.mp4: no space left on device', 'The server ran out of disk space'],
    [
      'LEASE_LOST',
      'The lease on master_1_abcdefgh was lost (worker web-3:1234)',
      'The worker running the job lost it',
    ],
    ['SOMETHING_NEW', 'from a newer version, on host-9', 'The job failed'],
  ])('%s gets a fixed plain message', (code, message, expected) => {
    // A code this version does not know (a record written by a newer one) is typed loosely on purpose.
    expect(publicError({ code, message } as JobError)).toEqual({ code, message: expected })
  })

  it('keeps the client-worded messages, first line only, with paths cut to base names', () => {
    expect(
      publicError({
        code: 'INPUT_INVALID',
        message: `"/srv/assets/p1/clip 2.mp4" is not a video we accept: no video stream\n${stderr}`,
      }),
    ).toEqual({ code: 'INPUT_INVALID', message: '"clip 2.mp4" is not a video we accept: no video stream' })
    expect(publicError({ code: 'CANCELED', message: 'Master video master_1_x was canceled' })).toEqual({
      code: 'CANCELED',
      message: 'Master video master_1_x was canceled',
    })
  })

  it('never returns an empty message, for any code', () => {
    for (const code of ERROR_CODES) {
      expect(publicError({ code, message: '' }).message.length).toBeGreaterThan(0)
    }
  })
})

describe('recordJson', () => {
  const record = (): MasterVideo => ({
    ...initialRecord(
      {
        id: 'master_1_abcdefgh',
        projectId: 'p1',
        name: 'n',
        shots: [{ assetId: 'a.mp4' }],
        maxAttempts: 3,
        encoding: {},
        idempotencyKey: null,
      },
      new Date(0),
    ),
    status: 'processing',
    leaseOwner: 'render-host-7.internal:4242:abcdef',
    leaseToken: 'token',
    leaseExpiresAt: new Date(30_000),
    error: { code: 'TRANSCODE_FAILED', message: `The join failed (exit code 1)\n${stderr}` },
  })

  it('sends neither the lease owner nor the lease token, and only the public error', () => {
    const json = recordJson(record(), '/api/projects/p1/master-videos/master_1_abcdefgh', null)
    expect(json).not.toHaveProperty('leaseOwner')
    expect(json).not.toHaveProperty('leaseToken')
    expect(json.error).toEqual({ code: 'TRANSCODE_FAILED', message: 'The clips could not be joined' })
    const text = JSON.stringify(json)
    expect(text).not.toMatch(/render-host-7|\/srv\/|secret-clip|Invalid data/)
  })
})
