// The JSON routes over a real server: create, list, get, retry, cancel,
// delete; validation 400s; the not-ready answer; errors that leak nothing.
import { existsSync } from 'node:fs'
import { MasterVideoError, type Repository, TranscodeFailedError } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, fixture, json, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let server: TestServer
let base: string

beforeAll(async () => {
  fx = await fixture()
  server = await serveRoutes(fx.mv, { maxBodyBytes: 64 * 1024 })
  base = `${server.url}/api/projects`
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  request(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

describe('create, get, list', () => {
  it('POST creates a job: 201, Location, the record without its lease token', async () => {
    const shot = await fx.clip('a.bin')
    const res = await post('/p-create/master-videos', { name: ' 003 ', shots: [shot] })
    expect(res.status).toBe(201)
    const body = json(res)
    expect(body).toMatchObject({ projectId: 'p-create', name: '003', status: 'created', progress: 0 })
    expect(body.shots).toEqual([{ assetId: shot }])
    expect(body.id).toMatch(/^master_\d+_[a-z0-9]{8}$/)
    expect(body).not.toHaveProperty('leaseToken')
    expect(res.headers.location).toBe(`/api/projects/p-create/master-videos/${body.id}`)
    expect(body.urls).toEqual({ video: null, download: null, thumbnail: null, renditions: {}, hls: null })
  })

  it('a completed record carries the URLs of its files, and never a lease token', async () => {
    const { record } = await fx.completedJob({ projectId: 'p-urls' })
    const res = await request(`${base}/p-urls/master-videos/${record.id}`)
    expect(res.status).toBe(200)
    const body = json(res)
    expect(body.status).toBe('completed')
    expect(body.progress).toBe(1)
    expect(body).not.toHaveProperty('leaseToken')
    const path = `/api/projects/p-urls/master-videos/${record.id}`
    expect(body.urls).toEqual({
      video: `${path}/video`,
      download: `${path}/download`,
      thumbnail: `${path}/thumbnail`,
      renditions: {},
      hls: null,
    })
    expect((await request(`${server.url}${body.urls.video}`)).status).toBe(200)
  })

  it('a repeated Idempotency-Key returns the first job (200, Idempotent-Replayed)', async () => {
    const shot = await fx.clip('idem.bin')
    const first = await post(
      '/p-idem/master-videos',
      { name: 'x', shots: [shot] },
      { 'Idempotency-Key': 'k1' },
    )
    const again = await post(
      '/p-idem/master-videos',
      { name: 'y', shots: [shot] },
      { 'Idempotency-Key': 'k1' },
    )
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(json(again).id).toBe(json(first).id)
    expect(json(again).name).toBe('x')
  })

  it('GET lists a project newest first, filters by status, pages with a cursor', async () => {
    const shot = await fx.clip('list.bin')
    const ids: string[] = []
    for (let i = 0; i < 3; i++)
      ids.push(json(await post('/p-list/master-videos', { name: `n${i}`, shots: [shot] })).id)
    const page1 = json(await request(`${base}/p-list/master-videos?limit=2`))
    expect(page1.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]])
    const page2 = json(
      await request(`${base}/p-list/master-videos?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`),
    )
    expect(page2.items.map((r: { id: string }) => r.id)).toEqual([ids[0]])
    expect(page2.nextCursor).toBeNull()
    await Promise.all(ids.map((id) => fx.mv.waitFor(id, { pollMs: 20 })))
    const completed = json(await request(`${base}/p-list/master-videos?status=completed`))
    expect(completed.items).toHaveLength(3)
    const none = json(await request(`${base}/p-list/master-videos?status=failed`))
    expect(none.items).toEqual([])
  })
})

describe('state changes', () => {
  it('cancel then retry; illegal transitions are 409 ILLEGAL_TRANSITION', async () => {
    const slow = await fixture({ durationMs: 5000, steps: 50 })
    const slowServer = await serveRoutes(slow.mv)
    try {
      const job = await slow.mv.create({ projectId: 'p', name: 'slow', shots: [await slow.clip('s.bin')] })
      const url = `${slowServer.url}/api/projects/p/master-videos/${job.id}`
      const canceled = await request(`${url}/cancel`, { method: 'POST' })
      expect(canceled.status).toBe(200)
      expect(json(canceled).status).toBe('canceled')
      const again = await request(`${url}/cancel`, { method: 'POST' })
      expect(again.status).toBe(409)
      expect(json(again).code).toBe('ILLEGAL_TRANSITION')
      const retried = await request(`${url}/retry`, { method: 'POST' })
      expect(retried.status).toBe(200)
      expect(['created', 'processing']).toContain(json(retried).status)
      const retryRunning = await request(`${url}/retry`, { method: 'POST' })
      expect(retryRunning.status).toBe(409)
      // Not ready: the seed-compatible body, byte for byte. The worker may
      // claim the job while the request runs: either status is the truth.
      for (const kind of ['video', 'download', 'thumbnail']) {
        const before = (await slow.mv.get(job.id)).status
        const res = await request(`${url}/${kind}`)
        expect(res.status).toBe(400)
        const after = (await slow.mv.get(job.id)).status
        expect([before, after].map((status) => `{"error":"Video not ready","status":"${status}"}`)).toContain(
          res.body.toString(),
        )
      }
    } finally {
      await slowServer.close()
      await slow.close()
    }
  })

  it('DELETE removes the record and its files; the id is then 404', async () => {
    const { record } = await fx.completedJob({ projectId: 'p-del' })
    const file = fx.mv.output.localPath?.(record.output?.key ?? '') ?? ''
    expect(existsSync(file)).toBe(true)
    const url = `${base}/p-del/master-videos/${record.id}`
    const res = await request(url, { method: 'DELETE' })
    expect(res.status).toBe(200)
    expect(json(res).id).toBe(record.id)
    expect(existsSync(file)).toBe(false)
    for (const path of ['', '/video', '/download', '/thumbnail', '/events']) {
      const gone = await request(`${url}${path}`)
      expect(gone.status).toBe(404)
      expect(json(gone).code).toBe('NOT_FOUND')
    }
  })
})

describe('not found', () => {
  it('an unknown id, or a job of another project, is 404 { error, code } on every job route', async () => {
    const { record } = await fx.completedJob({ projectId: 'owner' })
    for (const url of [
      `${base}/owner/master-videos/master_0_nothere1`,
      `${base}/other/master-videos/${record.id}`,
    ]) {
      for (const [method, path] of [
        ['GET', ''],
        ['DELETE', ''],
        ['POST', '/retry'],
        ['POST', '/cancel'],
        ['GET', '/video'],
        ['GET', '/download'],
        ['GET', '/thumbnail'],
        ['GET', '/events'],
      ] as const) {
        const res = await request(`${url}${path}`, { method })
        expect(res.status, `${method} ${url}${path}`).toBe(404)
        expect(Object.keys(json(res)).sort()).toEqual(['code', 'error'])
        expect(json(res).code).toBe('NOT_FOUND')
      }
    }
    // The other project's calls changed nothing.
    expect((await fx.mv.get(record.id)).status).toBe('completed')
  })

  it('a completed job whose file vanished is 404, not 500', async () => {
    const { record } = await fx.completedJob({ projectId: 'p-vanish' })
    await fx.mv.output.delete(record.output?.key ?? '')
    const res = await request(`${base}/p-vanish/master-videos/${record.id}/video`)
    expect(res.status).toBe(404)
    expect(json(res)).toEqual({ error: 'Video file not found', code: 'NOT_FOUND' })
  })
})

describe('bad input gets a clear 400', () => {
  it.each([
    ['no name', { shots: ['a'] }, /name/],
    ['an empty name', { name: '', shots: ['a'] }, /name/],
    ['a name of spaces (core trims it)', { name: '   ', shots: ['a'] }, /name/],
    ['no shots', { name: 'x', shots: [] }, /shots/],
    ['shots not an array', { name: 'x', shots: 'a' }, /shots/],
    ['a shot of the wrong type', { name: 'x', shots: [42] }, /shots\.0/],
    ['a misspelt key', { name: 'x', shot: ['a'] }, /shot/],
    ['an unknown encoding option', { name: 'x', shots: ['a'], encoding: { crf: 23, speed: 2 } }, /speed/],
    ['crf out of range', { name: 'x', shots: ['a'], encoding: { crf: 99 } }, /encoding\.crf/],
    ['an unknown preset', { name: 'x', shots: ['a'], encoding: { preset: 'ludicrous' } }, /preset/],
    [
      'trimEnd before trimStart',
      { name: 'x', shots: [{ assetId: 'a', trimStart: 5, trimEnd: 2 }] },
      /trimEnd/,
    ],
    ['501 shots', { name: 'x', shots: Array.from({ length: 501 }, () => 'a') }, /shots/],
    ['a body that is an array', [1, 2], /body/],
  ])('POST with %s', async (_what, body, field) => {
    const res = await post('/p-bad/master-videos', body)
    expect(res.status).toBe(400)
    const error = json(res)
    expect(error.code).toBe('VALIDATION')
    expect(error.error).toMatch(field)
    expect(error.error).not.toMatch(/\[mastervideo/) // a client reads it: no package prefix
  })

  it('POST with malformed JSON, or without a JSON content type', async () => {
    const broken = await request(`${base}/p/master-videos`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name": "x", shots: [',
    })
    expect(broken.status).toBe(400)
    expect(json(broken)).toEqual({ error: 'Malformed JSON in request body', code: 'VALIDATION' })
    const form = await request(`${base}/p/master-videos`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=x&shots=a',
    })
    expect(form.status).toBe(400)
    expect(json(form).error).toMatch(/must be JSON/)
  })

  it('a body over maxBodyBytes is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post('/p/master-videos', { name: 'x'.repeat(70 * 1024), shots: ['a'] })
    expect(res.status).toBe(413)
    expect(json(res)).toEqual({ error: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' })
  })

  it('an Idempotency-Key over 255 characters', async () => {
    const res = await post(
      '/p/master-videos',
      { name: 'x', shots: ['a'] },
      { 'Idempotency-Key': 'k'.repeat(256) },
    )
    expect(res.status).toBe(400)
    expect(json(res).error).toMatch(/Idempotency-Key/)
  })

  it.each([
    ['status=done', /status/],
    ['limit=0', /limit/],
    ['limit=abc', /limit/],
    ['limit=101', /limit/],
    ['sort=name', /sort/],
  ])('GET list with ?%s', async (query, field) => {
    const res = await request(`${base}/p/master-videos?${query}`)
    expect(res.status).toBe(400)
    expect(json(res).error).toMatch(field)
  })

  it('a project id with a control character', async () => {
    const res = await request(`${base}/p%01x/master-videos`)
    expect(res.status).toBe(400)
    expect(json(res).code).toBe('VALIDATION')
  })
})

describe('server errors leak nothing', () => {
  it("a failed job's JSON has a public error and no lease owner; the service keeps the detail", async () => {
    const stderr = '/srv/secret/clip.mp4: Invalid data found when processing input (ffmpeg on render-7)'
    const failing = await fixture({ failures: [new TranscodeFailedError(`The join failed\n${stderr}`)] })
    const s = await serveRoutes(failing.mv)
    try {
      const shot = await failing.clip('a.bin')
      const job = await failing.mv.create({ projectId: 'p', name: 'n', shots: [shot], maxAttempts: 1 })
      await expect(failing.mv.waitFor(job.id, { pollMs: 20 })).rejects.toMatchObject({
        code: 'TRANSCODE_FAILED',
      })
      expect((await failing.mv.get(job.id)).error?.message).toContain(stderr)
      for (const path of [`/p/master-videos/${job.id}`, '/p/master-videos']) {
        const res = await request(`${s.url}/api/projects${path}`)
        const text = res.body.toString()
        expect(text).not.toMatch(/secret|render-7|Invalid data/)
        expect(text).not.toContain('leaseOwner')
      }
      const body = json(await request(`${s.url}/api/projects/p/master-videos/${job.id}`))
      expect(body.error).toEqual({ code: 'TRANSCODE_FAILED', message: 'The clips could not be joined' })
    } finally {
      await s.close()
      await failing.close()
    }
  })

  it('a repository failure is 500 { error: "Internal server error", code } with no stack or path', async () => {
    const secretPath = '/var/lib/secret/mastervideo.sqlite'
    const failing = await fixture()
    const repository = failing.mv.repository as Repository
    const logged: unknown[] = []
    repository.get = async () => {
      throw new Error(`SQLITE_CORRUPT: database disk image is malformed at ${secretPath}`)
    }
    repository.list = async () => {
      throw new MasterVideoError('STORAGE', `[mastervideo/sqlite] cannot read ${secretPath}`)
    }
    const s = await serveRoutes(failing.mv, {
      logger: { ...console, error: (...args: unknown[]) => logged.push(args) } as never,
    })
    try {
      for (const path of ['/p/master-videos/master_1_abcdefgh', '/p/master-videos']) {
        const res = await request(`${s.url}/api/projects${path}`)
        expect(res.status).toBe(500)
        const text = res.body.toString()
        expect(JSON.parse(text).error).toBe('Internal server error')
        expect(text).not.toContain(secretPath)
        expect(text).not.toMatch(/at .*\.ts|SQLITE/)
      }
      expect(logged).toHaveLength(2) // the operator still sees what happened
    } finally {
      await s.close()
      await failing.close()
    }
  })
})
