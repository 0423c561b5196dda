import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { localOutputStore, type MasterVideo, type OutputStore } from '@mastervideo/core'
import { initialRecord } from '@mastervideo/core/adapter'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { jobFileResponse } from './job-files.js'

const bytes = randomBytes(400_000)
let dir: string
let store: OutputStore

async function put(key: string, content: Buffer) {
  const pending = await store.prepare(key)
  await writeFile(pending.path, content)
  await pending.commit()
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-job-files-'))
  store = localOutputStore(dir)
  await put('m.webm', bytes)
  await put('m.jpg', Buffer.from('poster'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function completed(output: Partial<NonNullable<MasterVideo['output']>> = {}): MasterVideo {
  const record = initialRecord(
    {
      id: 'master_1_abcdefgh',
      projectId: 'p1',
      name: 'cut',
      shots: [],
      maxAttempts: 1,
      encoding: {},
      idempotencyKey: null,
    },
    new Date(),
  )
  return {
    ...record,
    status: 'completed',
    thumbnailKey: 'm.jpg',
    output: {
      key: 'm.webm',
      size: bytes.length,
      durationSec: 1,
      width: 2,
      height: 2,
      strategy: 'copy',
      ...output,
    },
  }
}

/** Serves `record`'s files from `from` at `/:kind`. */
function app(record: MasterVideo, from: OutputStore = store) {
  return new Hono().get('/:kind', (c) =>
    jobFileResponse(c, from, record, c.req.param('kind') as 'video', {
      cacheControl: 'private, no-cache',
      maxRanges: 8,
    }),
  )
}

describe('jobFileResponse', () => {
  it('sends the video with the content type on the record, and the poster as a JPEG', async () => {
    const routes = app(completed({ contentType: 'video/webm' }))
    const video = await routes.request('/video', { method: 'HEAD' })
    expect(video.headers.get('content-type')).toBe('video/webm')
    expect((await routes.request('/thumbnail')).headers.get('content-type')).toBe('image/jpeg')
  })

  it('reads a record written before contentType existed as video/mp4', async () => {
    const res = await app(completed()).request('/video', { method: 'HEAD' })
    expect(res.headers.get('content-type')).toBe('video/mp4')
  })

  it('names the download after the job, with the extension of the stored video', async () => {
    const res = await app(completed()).request('/download', { method: 'HEAD' })
    expect(res.headers.get('content-disposition')).toContain(`filename="cut_master_1_abcdefgh.webm"`)
  })

  it('reads a small range with the store’s read, a large one with its stream', async () => {
    const read = vi.fn(store.read?.bind(store))
    const createReadStream = vi.fn(store.createReadStream.bind(store))
    const routes = app(completed(), { ...store, read, createReadStream })
    const small = await routes.request('/video', { headers: { Range: 'bytes=100-65635' } })
    expect(Buffer.from(await small.arrayBuffer()).equals(bytes.subarray(100, 65_636))).toBe(true)
    expect(read).toHaveBeenCalledTimes(1)
    expect(createReadStream).not.toHaveBeenCalled()
    const large = await routes.request('/video', { headers: { Range: 'bytes=0-300000' } })
    expect(Buffer.from(await large.arrayBuffer()).equals(bytes.subarray(0, 300_001))).toBe(true)
    expect(read).toHaveBeenCalledTimes(1)
    expect(createReadStream).toHaveBeenCalledTimes(1)
  })

  it('answers a store that returns fewer bytes than the file’s size with an error, not a short body', async () => {
    const short: OutputStore = { ...store, read: async () => Buffer.from('short') }
    const routes = app(completed(), short).onError((error) => {
      throw error
    })
    await expect(routes.request('/video', { headers: { Range: 'bytes=0-99' } })).rejects.toMatchObject({
      code: 'STORAGE',
      origin: '@mastervideo/http-hono',
    })
  })

  it('is 400 with the status until the job is completed, 404 once the file is gone', async () => {
    const running = await app({ ...completed(), status: 'processing' }).request('/video')
    expect(running.status).toBe(400)
    expect(await running.json()).toEqual({ error: 'Video not ready', status: 'processing' })
    const gone = await app(completed({ key: 'gone.mp4' })).request('/video')
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ error: 'Video file not found', code: 'NOT_FOUND' })
  })
})
