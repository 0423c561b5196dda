// The `failed` and `retrying` events hand listeners the attempt's full error,
// so an error tracker gets its details (ffmpeg's stderr tail) while the stored
// record keeps only the code and the plain message a client may read.
import {
  InputInvalidError,
  intervalPoller,
  type MasterVideoError,
  TranscodeFailedError,
} from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, harness, until } from './helpers.js'

const shots = ['a.bin', 'b.bin', 'c.bin']
const never = intervalPoller(3_600_000)

let h: Harness
afterEach(async () => {
  await h?.cleanup()
})

describe('failed and retrying events', () => {
  it('carry the full error; the record keeps only code and message', async () => {
    const stderr = ['[mov,mp4 @ 0x1] moov atom not found', '/srv/private/a.mp4: Invalid data']
    h = await harness(
      testTranscoder({ failures: [new InputInvalidError('clip 1 is not a video', { details: { stderr } })] }),
    )
    const seen: Array<{ id: string; error: MasterVideoError | undefined }> = []
    h.mv.on('failed', (record, error) => seen.push({ id: record.id, error }))
    h.mv.worker({ poller: never }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'bad', shots })
    await until(() => seen.length === 1, 'the failed event')
    expect(seen[0]?.id).toBe(job.id)
    expect(seen[0]?.error).toMatchObject({ code: 'INPUT_INVALID', details: { stderr } })
    expect((await h.mv.get(job.id)).error).toEqual({
      code: 'INPUT_INVALID',
      message: 'clip 1 is not a video',
    })
  })

  it('hand a retried attempt its error too', async () => {
    h = await harness(
      testTranscoder({ failures: [new TranscodeFailedError('flaky', { details: { exit: 1 } })] }),
    )
    const codes: string[] = []
    h.mv.on('retrying', (_record, error) => codes.push(`${error?.code}:${error?.details?.exit}`))
    h.mv.worker({ poller: intervalPoller(10), backoff: { baseMs: 5, maxMs: 10 } }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'flaky', shots })
    await h.mv.waitFor(job.id, { pollMs: 20 })
    expect(codes).toEqual(['TRANSCODE_FAILED:1'])
  })
})
