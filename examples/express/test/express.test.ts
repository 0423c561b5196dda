// Runs the Express example as its README says, in its own process: an Express
// server on 127.0.0.1 with the host's bearer-token auth ("alice-token" may use
// project p1), the SQLite repository and the bundled ffmpeg.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa, type ResultPromise } from 'execa'
import { ensureDemoProject } from 'mastervideo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let child: ResultPromise
let base: string
const alice = { authorization: 'Bearer alice-token' }

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-express-'))
  await ensureDemoProject(dir, (await resolveBinaries({})).ffmpeg)
  child = execa(
    process.execPath,
    ['--conditions=@mastervideo/source', '--import', 'tsx', 'src/main.ts', path.join(dir, 'demo')],
    {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { PORT: '0', DATA_DIR: path.join(dir, 'data') },
      reject: false,
    },
  )
  base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)\//.exec(chunk.toString())
      if (match) resolve(match[1] as string)
    })
    void child.then((r) => reject(new Error(`example exited: ${r.stderr}`)))
  })
}, 120_000)

afterAll(async () => {
  child?.kill('SIGTERM')
  await child
  await rm(dir, { recursive: true, force: true })
})

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

interface Json {
  id: string
  status: string
  urls: { video: string; download: string }
  leaseToken?: string
}

describe('examples/express', () => {
  it("keeps the host's own routes working", async () => {
    expect((await fetch(`${base}/me`, { headers: alice })).status).toBe(200)
    expect((await fetch(`${base}/me`)).status).toBe(401)
  })

  it('refuses what the host does not authorize: no token, or a project the user is not in', async () => {
    const body = { name: 'x', shots: ['01-bars.mp4'] }
    expect((await post('/api/projects/p1/master-videos', body, {})).status).toBe(403)
    expect((await post('/api/projects/p2/master-videos', body, alice)).status).toBe(403)
    expect((await fetch(`${base}/api/projects/p2/master-videos`, { headers: alice })).status).toBe(403)
  })

  it('creates, completes and serves a master video; the signed video URL plays without a header', {
    timeout: 90_000,
  }, async () => {
    const created = await post(
      '/api/projects/p1/master-videos',
      { name: 'Мастер 1', shots: ['01-bars.mp4', '02-gradient.mp4'] },
      alice,
    )
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as Json
    let record: Json
    do {
      await new Promise((resolve) => setTimeout(resolve, 200))
      record = (await (
        await fetch(`${base}/api/projects/p1/master-videos/${id}`, { headers: alice })
      ).json()) as Json
    } while (record.status === 'created' || record.status === 'processing')
    expect(record.status).toBe('completed')
    expect(record.leaseToken).toBeUndefined()
    expect(record.urls.video).toMatch(/\/api\/projects\/p1\/master-videos\/.+\/video\?/)

    // What a <video src> does: no Authorization header, only the signed URL; Safari opens with bytes=0-1.
    const first = await fetch(new URL(record.urls.video, base), { headers: { range: 'bytes=0-1' } })
    expect(first.status).toBe(206)
    expect(first.headers.get('content-range')).toMatch(/^bytes 0-1\/\d+$/)
    expect((await first.arrayBuffer()).byteLength).toBe(2)

    // Unsigned, or with its signature tampered with: refused.
    expect((await fetch(`${base}/api/projects/p1/master-videos/${id}/video`)).status).toBe(403)
    const altered = new URL(record.urls.video, base)
    const params = [...altered.searchParams.keys()]
    const last = params.at(-1) as string
    altered.searchParams.set(last, `${altered.searchParams.get(last)}x`)
    expect((await fetch(altered)).status).toBe(403)

    const download = await fetch(new URL(record.urls.download, base))
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''%D0%9C%D0%B0%D1%81%D1%82%D0%B5%D1%80%201_",
    )
  })
})
