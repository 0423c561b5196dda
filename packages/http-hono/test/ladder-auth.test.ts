// Authorization of the rendition and HLS routes. A `<video>` or hls.js sends
// no header, so a signed master playlist must open every playlist and segment
// it leads to on its own, and nothing else: not another job, another project,
// an expired or altered signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuthorizeTarget, urlSigner } from '../src/index.js'
import { json, request, serveRoutes, type TestServer } from './helpers.js'
import { type LadderFixture, ladderFixture, parsePlaylist } from './ladder-fixture.js'

const SECRET = 'test-secret-test-secret-test-secret-0123'
let fx: LadderFixture
let server: TestServer
let open: TestServer
const seen: AuthorizeTarget[] = []

beforeAll(async () => {
  fx = await ladderFixture()
  server = await serveRoutes(fx.mv, {
    signingSecret: SECRET,
    urlTtlSec: 60,
    // Only alice, by header, on project p1: a plain fetch (no header) is refused.
    authorize: (c, target) => {
      seen.push(target)
      return c.req.header('x-user') === 'alice' && target.projectId === 'p1'
    },
  })
  open = await serveRoutes(fx.mv, { authorize: (c) => c.req.header('x-user') === 'alice' })
}, 60_000)
afterAll(async () => {
  await server?.close()
  await open?.close()
  await fx?.close()
})

const ALICE = { headers: { 'x-user': 'alice' } }
const jobPath = (project = 'p1', id = fx.record.id) => `/api/projects/${project}/master-videos/${id}`
const signedRecord = async () => json(await request(`${server.url}${jobPath()}`, ALICE))

/** Every URL a player fetches from a master playlist, in order, with no header. */
async function walk(masterUrl: string): Promise<{ url: string; status: number }[]> {
  const visited: { url: string; status: number }[] = []
  const get = async (url: string) => {
    const res = await request(url)
    visited.push({ url, status: res.status })
    return res
  }
  const master = await get(masterUrl)
  for (const variant of parsePlaylist(master.body.toString('utf8')).playlists ?? []) {
    const variantUrl = new URL(variant.uri, masterUrl).href
    const media = parsePlaylist((await get(variantUrl)).body.toString('utf8'))
    const uris = [media.segments[0]?.map?.uri as string, ...media.segments.map((s) => s.uri)]
    for (const uri of uris) await get(new URL(uri, variantUrl).href)
  }
  return visited
}

describe('authorize on the rendition and HLS routes', () => {
  it('asks authorize with the action, and the rendition for a rendition', async () => {
    seen.length = 0
    await request(`${server.url}${jobPath()}/renditions/180p/video`, ALICE)
    await request(`${server.url}${jobPath()}/renditions/120p/download`, ALICE)
    await request(`${server.url}${jobPath()}/hls/master.m3u8`, ALICE)
    expect(seen).toEqual([
      { action: 'rendition-video', projectId: 'p1', id: fx.record.id, rendition: '180p' },
      { action: 'rendition-download', projectId: 'p1', id: fx.record.id, rendition: '120p' },
      { action: 'hls', projectId: 'p1', id: fx.record.id },
    ])
  })

  it('refuses a foreign project and a stranger with 403 before reading the job', async () => {
    const segment = fx.record.hls?.variants[0]?.segmentKeys[0] as string
    for (const path of [
      '/renditions/180p/video',
      '/renditions/180p/download',
      '/hls/master.m3u8',
      `/hls/${segment}`,
    ]) {
      const foreign = await request(`${server.url}${jobPath('p2')}${path}`, ALICE)
      expect(foreign.status, path).toBe(403)
      expect(json(foreign)).toEqual({ error: 'Forbidden', code: 'FORBIDDEN' })
      expect((await request(`${server.url}${jobPath()}${path}`)).status, path).toBe(403)
      expect((await request(`${server.url}${jobPath()}${path}`, ALICE)).status, path).toBe(200)
    }
  })
})

describe('signed URLs', () => {
  it('a signed master playlist lets a plain fetch walk every playlist and segment', async () => {
    const { urls } = await signedRecord()
    expect(urls.hls).toMatch(new RegExp(`^${jobPath()}/hls/\\d+\\.[\\w-]+/master\\.m3u8$`))
    const visited = await walk(`${server.url}${urls.hls}`)
    expect(visited.filter((v) => v.status !== 200)).toEqual([])
    // The master, 2 variant playlists, and every init and media segment of both.
    expect(visited).toHaveLength(fx.hlsKeys.length)
  })

  it('signed rendition URLs open their own rendition only', async () => {
    const { urls } = await signedRecord()
    const video = await request(`${server.url}${urls.renditions['180p'].video}`)
    expect(video.status).toBe(200)
    expect(video.body.equals(await fx.bytes(fx.record.renditions[0]?.key as string))).toBe(true)
    const download = await request(`${server.url}${urls.renditions['120p'].download}`)
    expect(download.status).toBe(200)
    expect(download.headers['content-disposition']).toMatch(/^attachment; /)
    // The same signature on the other rendition, or on the other route, is refused.
    const swapped = urls.renditions['180p'].video.replace('/180p/', '/120p/')
    expect((await request(`${server.url}${swapped}`)).status).toBe(403)
    const asDownload = urls.renditions['180p'].video.replace('/video?', '/download?')
    expect((await request(`${server.url}${asDownload}`)).status).toBe(403)
    const asMaster = urls.renditions['180p'].video.replace('/renditions/180p/video?', '/video?')
    expect((await request(`${server.url}${asMaster}`)).status).toBe(403)
  })

  it('refuses an expired grant, a tampered one, and one for another job or project', async () => {
    const { urls } = await signedRecord()
    const grant = /\/hls\/([^/]+)\/master\.m3u8$/.exec(urls.hls)?.[1] as string
    const [expires, signature] = grant.split('.') as [string, string]
    const segment = fx.record.hls?.variants[1]?.segmentKeys[0] as string
    const past = new URLSearchParams(
      urlSigner(SECRET, 60).sign({ kind: 'hls', projectId: 'p1', id: fx.record.id }, Date.now() - 120_000),
    )
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`
    const cases = {
      expired: `${jobPath()}/hls/${past.get('expires')}.${past.get('signature')}/master.m3u8`,
      'expiry moved': `${jobPath()}/hls/${Number(expires) + 3600}.${signature}/master.m3u8`,
      tampered: `${jobPath()}/hls/${expires}.${flipped}/${segment}`,
      'no signature': `${jobPath()}/hls/${expires}/master.m3u8`,
      'another job': `${jobPath('p1', fx.pending.id)}/hls/${grant}/master.m3u8`,
      'another project': `${jobPath('p2')}/hls/${grant}/master.m3u8`,
      // A video URL's query signature does not open the ladder.
      'query instead of path': `${jobPath()}/hls/master.m3u8?expires=${expires}&signature=${signature}`,
    }
    for (const [name, path] of Object.entries(cases)) {
      const res = await request(`${server.url}${path}`)
      expect(res.status, name).toBe(403)
      expect(json(res).code, name).toBe('FORBIDDEN')
    }
  })

  it('a grant opens only the files the record names', async () => {
    const { urls } = await signedRecord()
    const prefix = urls.hls.replace(/master\.m3u8$/, '')
    expect((await request(`${server.url}${prefix}${fx.record.output?.key}`)).status).toBe(404)
    expect((await request(`${server.url}${prefix}..%2F..%2Fvideo`)).status).toBe(404)
  })

  it('without a signing secret, a grant segment is refused and the record carries plain URLs', async () => {
    const res = await request(`${open.url}${jobPath()}/hls/1999999999.abc/master.m3u8`, ALICE)
    expect(res.status).toBe(403)
    const { urls } = json(await request(`${open.url}${jobPath()}`, ALICE))
    expect(urls.hls).toBe(`${jobPath()}/hls/master.m3u8`)
    expect(urls.renditions['180p'].video).toBe(`${jobPath()}/renditions/180p/video`)
  })
})
