import { intervalPoller } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, harness, until } from './helpers.js'

const shots = ['a.bin', 'b.bin']
let h: Harness
afterEach(async () => {
  await h?.cleanup()
})

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  )
}

describe('service: create validates its input', () => {
  it.each([
    ['an empty shot list', { shots: [] }],
    ['shots that are not an array', { shots: 'a.bin' }],
    ['501 shots', { shots: Array.from({ length: 501 }, () => 'a.bin') }],
    ['a name of only spaces', { name: '   \t ' }],
    ['a missing name', { name: undefined }],
    ['an empty asset id', { shots: [''] }],
    ['an asset id with NUL', { shots: ['a\u0000.bin'] }],
    ['a trim that ends before it starts', { shots: [{ assetId: 'a.bin', trimStart: 2, trimEnd: 1 }] }],
    ['a negative trim', { shots: [{ assetId: 'a.bin', trimStart: -1 }] }],
    ['an unknown strategy', { encoding: { strategy: 'magic' } }],
    ['an unknown preset', { encoding: { preset: 'warp' } }],
    ['a CRF out of range', { encoding: { crf: 70 } }],
    ['an odd width', { encoding: { width: 321, height: 240 } }],
    ['a width without a height', { encoding: { width: 320 } }],
    ['an unknown encoding option', { encoding: { bitrate: '1M' } }],
    ['maxAttempts 0', { maxAttempts: 0 }],
    ['an empty project id', { projectId: '' }],
    ['a project id with a newline', { projectId: 'p\n1' }],
    ['a name with an unpaired surrogate', { name: 'bad \uD800 name' }],
    ['an asset id with an unpaired surrogate', { shots: ['a\uDC00.bin'] }],
    ['an idempotency key with an unpaired surrogate', { idempotencyKey: '\uD83D' }],
  ])('refuses %s with VALIDATION and stores nothing', async (_what, override) => {
    h = await harness(testTranscoder())
    const input = { projectId: 'p', name: 'n', shots, ...override }
    expect(await codeOf(h.mv.create(input as never))).toBe('VALIDATION')
    expect((await h.mv.list({ projectId: 'p' })).items).toEqual([])
  })

  it('trims the name and expands string shots', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({
      projectId: 'p',
      name: '  Мастер «003»  ',
      shots: ['a.bin', { assetId: 'b.bin', trimEnd: 1 }],
    })
    expect(job.name).toBe('Мастер «003»')
    expect(job.shots).toEqual([{ assetId: 'a.bin' }, { assetId: 'b.bin', trimEnd: 1 }])
    expect(job.id).toMatch(/^master_\d{13}_[a-z0-9]{8}$/)
    expect(job.maxAttempts).toBe(3)
  })

  it('returns the existing job for a repeated idempotency key, and emits created once', async () => {
    h = await harness(testTranscoder())
    const first = await h.mv.submit({ projectId: 'p', name: 'n', shots, idempotencyKey: 'k' })
    const again = await h.mv.submit({ projectId: 'p', name: 'other', shots, idempotencyKey: 'k' })
    expect(first.created).toBe(true)
    expect(again).toEqual({ record: first.record, created: false })
    expect(h.events).toEqual([`created:${first.record.id}`])
  })
})

describe('service: lookups and transitions', () => {
  it('unknown ids and other projects are NOT_FOUND for every call', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    const other = { projectId: 'someone-else' }
    expect(await codeOf(h.mv.get('master_0_nothere0'))).toBe('NOT_FOUND')
    expect(await codeOf(h.mv.get(job.id, other))).toBe('NOT_FOUND')
    expect(await codeOf(h.mv.cancel(job.id, other))).toBe('NOT_FOUND')
    expect(await codeOf(h.mv.retry(job.id, other))).toBe('NOT_FOUND')
    expect(await codeOf(h.mv.delete(job.id, other))).toBe('NOT_FOUND')
    expect(await codeOf(h.mv.waitFor('master_0_nothere0'))).toBe('NOT_FOUND')
    expect((await h.mv.get(job.id, { projectId: 'p' })).id).toBe(job.id)
  })

  it('illegal transitions are ILLEGAL_TRANSITION and change nothing', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    expect(await codeOf(h.mv.retry(job.id))).toBe('ILLEGAL_TRANSITION')
    await h.mv.cancel(job.id)
    expect(await codeOf(h.mv.cancel(job.id))).toBe('ILLEGAL_TRANSITION')
    expect((await h.mv.get(job.id)).status).toBe('canceled')
  })

  it('retry of a canceled job runs it again; the worker wakes at once', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    await h.mv.cancel(job.id)
    h.mv.worker({ poller: intervalPoller(3_600_000) }).start()
    await h.mv.retry(job.id)
    expect(await h.mv.waitFor(job.id)).toMatchObject({ status: 'completed', attempts: 1 })
  })

  it('delete removes the record and its files', async () => {
    h = await harness(testTranscoder())
    h.mv.worker({ poller: intervalPoller(3_600_000) }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    const done = await h.mv.waitFor(job.id)
    expect(await h.outputFiles()).toHaveLength(2)
    await h.mv.delete(job.id, { projectId: 'p' })
    expect(await h.outputFiles()).toEqual([])
    expect(await codeOf(h.mv.get(job.id))).toBe('NOT_FOUND')
    expect(h.events).toContain(`deleted:${done.id}`)
  })

  it('delete of a running job stops its transcode and leaves no file', async () => {
    const transcoder = testTranscoder({ durationMs: 5000 })
    h = await harness(transcoder)
    const worker = h.mv.worker({ poller: intervalPoller(3_600_000) }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    await until(() => transcoder.running === 1, 'the transcode to start')
    await h.mv.delete(job.id)
    await until(() => worker.running === 0, 'the worker to stop')
    expect(await h.outputFiles()).toEqual([])
  })

  it('lists newest first with a status filter, and refuses an unknown status', async () => {
    h = await harness(testTranscoder())
    const a = await h.mv.create({ projectId: 'p', name: 'a', shots })
    await new Promise((r) => setTimeout(r, 2))
    const b = await h.mv.create({ projectId: 'p', name: 'b', shots })
    await h.mv.cancel(a.id)
    expect((await h.mv.list({ projectId: 'p' })).items.map((r) => r.id)).toEqual([b.id, a.id])
    expect((await h.mv.list({ projectId: 'p', status: 'canceled' })).items.map((r) => r.id)).toEqual([a.id])
    expect(await codeOf(h.mv.list({ projectId: 'p', status: 'weird' as never }))).toBe('VALIDATION')
  })

  it('waitFor honours timeoutMs and an abort signal', async () => {
    h = await harness(testTranscoder())
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    expect(await codeOf(h.mv.waitFor(job.id, { timeoutMs: 30 }))).toBe('TIMEOUT')
    // The signal's own reason, not any rejection: a repository error or a
    // TIMEOUT must not pass for an abort.
    const reason = new Error('the page was closed')
    const controller = new AbortController()
    const waiting = h.mv.waitFor(job.id, { signal: controller.signal })
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    const bare = new AbortController()
    const waitingBare = h.mv.waitFor(job.id, { signal: bare.signal })
    bare.abort()
    await expect(waitingBare).rejects.toMatchObject({ name: 'AbortError' })
    // An already aborted signal rejects at once with its reason.
    await expect(h.mv.waitFor(job.id, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    // The job itself is untouched by a waiter giving up.
    expect(await h.mv.get(job.id)).toMatchObject({ status: 'created' })
  })

  it('a throwing event listener breaks neither the worker nor the caller', async () => {
    h = await harness(testTranscoder())
    h.mv.on('processing', () => {
      throw new Error('listener bug')
    })
    h.mv.worker({ poller: intervalPoller(3_600_000) }).start()
    const job = await h.mv.create({ projectId: 'p', name: 'n', shots })
    expect((await h.mv.waitFor(job.id)).status).toBe('completed')
  })
})
