// authorize() before every route, signed file URLs, and the download file name.
import type { MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuthorizeTarget, urlSigner } from '../src/index.js'
import { type Fixture, fixture, json, request, serveRoutes, type TestServer } from './helpers.js'

const SECRET = 'test-secret-test-secret-test-secret-0123'
let fx: Fixture
let server: TestServer
let record: MasterVideo
const seen: AuthorizeTarget[] = []

beforeAll(async () => {
  fx = await fixture()
  ;({ record } = await fx.completedJob({ projectId: 'mine', name: 'Мастер "финал"\nверсия 2' }))
  server = await serveRoutes(fx.mv, {
    signingSecret: SECRET,
    urlTtlSec: 60,
    // The caller (from a header, as a session would be) may see project "mine" only.
    authorize: (c, target) => {
      seen.push(target)
      if (c.req.header('x-user') === 'redirect-me') return c.redirect('/login', 302)
      return c.req.header('x-user') === 'alice' && target.projectId === 'mine'
    },
  })
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

const ROUTES = [
  ['POST', '', 'create'],
  ['GET', '', 'list'],
  ['GET', '/ID', 'get'],
  ['DELETE', '/ID', 'delete'],
  ['POST', '/ID/retry', 'retry'],
  ['POST', '/ID/cancel', 'cancel'],
  ['GET', '/ID/video', 'video'],
  ['HEAD', '/ID/video', 'video'],
  ['GET', '/ID/download', 'download'],
  ['HEAD', '/ID/download', 'download'],
  ['GET', '/ID/thumbnail', 'thumbnail'],
  ['GET', '/ID/events', 'events'],
] as const

const url = (project: string, path: string) =>
  `${server.url}/api/projects/${project}/master-videos${path.replace('ID', record.id)}`

describe('authorize', () => {
  it('denies a foreign project on every route with 403 { error, code: FORBIDDEN }, touching nothing', async () => {
    for (const [method, path, action] of ROUTES) {
      for (const [project, user] of [
        ['mine', 'mallory'], // a stranger on the owner's project
        ['theirs', 'alice'], // the owner on someone else's project
      ] as const) {
        seen.length = 0
        const res = await request(url(project, path), {
          method,
          headers: { 'x-user': user, 'Content-Type': 'application/json' },
          body: method === 'POST' && path === '' ? JSON.stringify({ name: 'x', shots: ['a'] }) : undefined,
        })
        expect(res.status, `${method} ${path} as ${user} on ${project}`).toBe(403)
        if (method !== 'HEAD') expect(json(res)).toEqual({ error: 'Forbidden', code: 'FORBIDDEN' })
        expect(seen).toEqual([
          path === '' ? { action, projectId: project } : { action, projectId: project, id: record.id },
        ])
      }
    }
    const after = await fx.mv.get(record.id)
    expect(after.status).toBe('completed')
    expect((await fx.mv.list({ projectId: 'theirs' })).items).toEqual([])
    expect((await fx.mv.list({ projectId: 'mine' })).items).toHaveLength(1)
  })

  it('allows the owner', async () => {
    const res = await request(url('mine', '/ID'), { headers: { 'x-user': 'alice' } })
    expect(res.status).toBe(200)
    expect(json(res).id).toBe(record.id)
  })

  it('a Response returned by authorize is sent as is', async () => {
    const res = await request(url('mine', '/ID/video'), { headers: { 'x-user': 'redirect-me' } })
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/login')
  })
})

describe('signed URLs', () => {
  it('the record carries signed file URLs that work without authorization', async () => {
    const body = json(await request(url('mine', '/ID'), { headers: { 'x-user': 'alice' } }))
    for (const kind of ['video', 'download', 'thumbnail'] as const) {
      expect(body.urls[kind]).toMatch(new RegExp(`/${kind}\\?expires=\\d+&signature=[\\w-]{43}$`))
      const res = await request(`${server.url}${body.urls[kind]}`) // no x-user header
      expect(res.status, kind).toBe(200)
    }
  })

  it('an expired, altered or misapplied signature is 403, and never falls back to authorize', async () => {
    const signer = urlSigner(SECRET, 60)
    const target = { kind: 'video' as const, projectId: 'mine', id: record.id }
    const valid = signer.sign(target)
    const [, expires, signature] = /expires=(\d+)&signature=(.+)$/.exec(valid) ?? []
    const expired = signer.sign(target, Date.now() - 120_000)
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`
    const cases = {
      expired: expired,
      'altered signature': `expires=${expires}&signature=${flip(signature as string)}`,
      'extended expiry': `expires=${Number(expires) + 3600}&signature=${signature}`,
      'signature only': `signature=${signature}`,
      'another secret': urlSigner(`${SECRET}-other`, 60).sign(target),
    }
    for (const [what, query] of Object.entries(cases)) {
      const res = await request(`${url('mine', '/ID/video')}?${query}`, { headers: { 'x-user': 'alice' } })
      expect(res.status, what).toBe(403)
      expect(json(res)).toEqual({ error: 'Signed URL is expired or invalid', code: 'FORBIDDEN' })
    }
    // A video signature does not open the download, nor another project's path.
    expect((await request(`${url('mine', '/ID/download')}?${valid}`)).status).toBe(403)
    expect((await request(`${url('theirs', '/ID/video')}?${valid}`)).status).toBe(403)
    expect((await request(`${url('mine', '/ID/video')}?${valid}`)).status).toBe(200)
  })

  it('refuses a short secret when the routes are built', async () => {
    expect(() => urlSigner('short', 60)).toThrow(/at least 32 bytes/)
  })
})

describe('download file name (RFC 6266)', () => {
  it('a Cyrillic name with a quote and a newline: ASCII fallback and exact UTF-8 filename*', async () => {
    const res = await request(url('mine', '/ID/download'), { headers: { 'x-user': 'alice' } })
    expect(res.status).toBe(200)
    const header = res.headers['content-disposition'] as string
    // Node refuses to send CR/LF in a header; the name still must not carry them, nor a raw quote.
    expect(header).not.toMatch(/[\r\n\u0000-\u001f\\]/)
    const match = /^attachment; filename="([^"]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/.exec(
      header,
    )
    expect(match).not.toBeNull()
    const [, fallback, encoded] = match as RegExpExecArray
    // The newline becomes a space; the quote stays (encoded) in the UTF-8 name.
    expect(decodeURIComponent(encoded as string)).toBe(`Мастер "финал" версия 2_${record.id}.mp4`)
    expect(fallback).toMatch(/^[\x20-\x7e]+$/)
    expect(fallback).toBe(`_ ___ _ 2_${record.id}.mp4`)
  })
})
