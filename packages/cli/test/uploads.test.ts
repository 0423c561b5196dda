// Uploads by tus into the standalone server: projects to create or choose,
// names checked, each arrival probed by the real ffmpeg transcoder, a size
// limit, and a resume after a dropped connection that yields the whole file.
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { ffmpegTranscoder, resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { silentLogger } from '@mastervideo/core'
import { execa } from 'execa'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploadNameReason } from '../src/server/uploads-accept.js'
import { formatBytes, uploadsApp } from '../src/server/uploads-api.js'
import { DEFAULT_UPLOAD_MAX_BYTES, uploadLimitBytes } from '../src/server/uploads-config.js'

let dir: string
let assets: string
let base: string
let server: ReturnType<typeof serve>
let clip: Buffer
let bigClip: Buffer
const LIMIT = 4 * 1024 * 1024

async function lavfiClip(file: string, size: string, extra: string[] = []): Promise<Buffer> {
  const { ffmpeg } = await resolveBinaries({})
  await execa(ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=1`],
    ...['-f', 'lavfi', '-i', 'sine=duration=1', '-shortest'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', ...extra, file],
  ])
  return readFile(file)
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-uploads-'))
  assets = path.join(dir, 'assets')
  await mkdir(path.join(assets, 'Демо'), { recursive: true })
  clip = await lavfiClip(path.join(dir, 'clip.mp4'), '320x240')
  // Big enough that half of it takes more than one read on the server.
  bigClip = await lavfiClip(path.join(dir, 'big.mp4'), '640x360', ['-g', '1', '-b:v', '8M'])
  const app = uploadsApp({
    assetsRoot: assets,
    cacheDir: path.join(dir, 'cache'),
    transcoder: ffmpegTranscoder(),
    logger: silentLogger,
    maxBytes: LIMIT,
  })
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve())
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const staged = async () =>
  (await readdir(path.join(dir, 'cache', 'uploads')).catch(() => [])).filter((n) => !n.startsWith('.'))

/** `POST /api/uploads`: a new tus upload; resolves the response (its Location on 201). */
function createUpload(meta: Record<string, string>, length: number): Promise<Response> {
  return fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(length),
      'upload-metadata': Object.entries(meta)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(','),
    },
  })
}

function patch(location: string, offset: number, body: Buffer): Promise<Response> {
  return fetch(new URL(location, base), {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(body),
  })
}

async function offsetOf(location: string): Promise<number> {
  const head = await fetch(new URL(location, base), { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } })
  expect(head.status, await staged().then((s) => s.join(' '))).toBe(200)
  return Number(head.headers.get('upload-offset'))
}

/** Creates and sends a whole upload in one PATCH; resolves the final response. */
async function uploadWhole(projectId: string, filename: string, bytes: Buffer): Promise<Response> {
  const created = await createUpload({ projectId, filename }, bytes.length)
  expect(created.status).toBe(201)
  return patch(created.headers.get('location') as string, 0, bytes)
}

describe('projects to upload into', () => {
  it('creates a project (201), chooses an existing one (200), refuses an unsafe name (400)', async () => {
    const post = (name: string) =>
      fetch(`${base}/api/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })
    const created = await post('Отпуск 2026')
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ id: 'Отпуск 2026', name: 'Отпуск 2026', created: true })
    expect((await post('Отпуск 2026')).status).toBe(200)
    for (const bad of ['../etc', 'a/b', '..', '', 'x\u0000y']) {
      const refused = await post(bad)
      expect(refused.status, bad).toBe(400)
      expect(((await refused.json()) as { error: string }).error).toMatch(/^The project name /)
    }
    expect(await readdir(assets)).toEqual(expect.arrayContaining(['Отпуск 2026', 'Демо']))
    expect(await readdir(dir)).not.toContain('etc')
  })
})

describe('tus uploads', () => {
  it('states its limits at GET /api/uploads', async () => {
    const settings = await (await fetch(`${base}/api/uploads`)).json()
    expect(settings).toEqual({
      endpoint: '/api/uploads',
      maxBytes: LIMIT,
      extensions: ['.mp4', '.mov', '.m4v', '.mkv', '.webm'],
    })
  })

  it('takes a clip from tus-js-client, probes it and files it under its Cyrillic name; a second one of that name gets (2)', async () => {
    const sendWithTusJs = (name: string) =>
      new Promise<string>((resolve, reject) => {
        const upload = new tus.Upload(clip, {
          endpoint: `${base}/api/uploads`,
          chunkSize: 16 * 1024,
          metadata: { projectId: 'Демо', filename: name },
          onError: reject,
          onSuccess: (payload) =>
            resolve(decodeURIComponent(payload.lastResponse.getHeader('mastervideo-asset') ?? '')),
        })
        upload.start()
      })
    expect(await sendWithTusJs('Клип 01.mp4')).toBe('Клип 01.mp4')
    expect(await sendWithTusJs('Клип 01.mp4')).toBe('Клип 01 (2).mp4')
    const stored = await readFile(path.join(assets, 'Демо', 'Клип 01.mp4'))
    expect(sha(stored)).toBe(sha(clip))
    expect(await readdir(path.join(assets, 'Демо'))).toEqual(['Клип 01 (2).mp4', 'Клип 01.mp4'])
    expect(await staged()).toEqual([])
  })

  it.each([
    ['a/b.mp4', /contains \//],
    ['..\\x.mp4', /contains \\/],
    ['nul\u0000.mp4', /control character/],
    ['..mp4', /starts with a dot/],
    ['notes.txt', /Only \.mp4, \.mov, \.m4v, \.mkv or \.webm files/],
  ])('refuses the file name %j before any byte is sent (400)', async (filename, reason) => {
    const response = await createUpload({ projectId: 'Демо', filename }, 100)
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(reason)
    expect(await staged()).toEqual([])
  })

  it('refuses an upload into a project that does not exist, or names none', async () => {
    for (const projectId of ['Нет такого', '../..', '']) {
      const response = await createUpload({ projectId, filename: 'a.mp4' }, 100)
      expect(response.status).toBe(400)
      expect(await response.text()).toMatch(/does not exist; create or choose one first/)
    }
  })

  it(`refuses a file over the limit (413, the limit in words)`, async () => {
    const response = await createUpload({ projectId: 'Демо', filename: 'huge.mp4' }, LIMIT + 1)
    expect(response.status).toBe(413)
    expect(await response.text()).toBe('The file is larger than the upload limit (4 MiB)')
  })

  it.each([
    [
      'a text file named .mp4',
      'notes.mp4',
      () => Buffer.from('not a video, just words\n'),
      /ffprobe cannot read it/,
    ],
    [
      'an HLS playlist named .mp4',
      'playlist.mp4',
      () => Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n'),
      /container "hls" is not an allowed video container|ffprobe cannot read it/,
    ],
    [
      'a clip cut in half',
      'cut.mp4',
      () => clip.subarray(0, Math.floor(clip.length / 2)),
      /ffprobe cannot read it|truncated/,
    ],
  ])('refuses %s on arrival (422, the reason), and removes it', async (_what, filename, bytes, reason) => {
    const response = await uploadWhole('Демо', filename, bytes())
    expect(response.status).toBe(422)
    const message = await response.text()
    expect(message).toContain(`"${filename}" is not a video we accept: `)
    expect(message).toMatch(reason)
    expect(message).not.toContain(dir)
    expect(await readdir(path.join(assets, 'Демо'))).not.toContain(filename)
    expect(await staged()).toEqual([])
  })

  it('resumes after the connection drops halfway and stores the whole file', async () => {
    const created = await createUpload({ projectId: 'Демо', filename: 'Большой.mp4' }, bigClip.length)
    const location = created.headers.get('location') as string
    const half = Math.floor(bigClip.length / 2)

    // Send half the body of a PATCH announced as whole, then drop the connection.
    await new Promise<void>((resolve) => {
      const request = http.request(new URL(location, base), {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(bigClip.length),
        },
      })
      request.on('error', () => resolve())
      request.write(bigClip.subarray(0, half), () => setTimeout(() => request.destroy(), 300))
    })
    // The server keeps what arrived; wait until its copy stops growing.
    let offset = -1
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const now = await offsetOf(location)
      if (now === offset && now > 0) break
      offset = now
    }
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThanOrEqual(half)
    expect(await readdir(path.join(assets, 'Демо'))).not.toContain('Большой.mp4')
    // A half-sent upload is never served back.
    expect((await fetch(new URL(location, base))).status).toBe(404)

    const resumed = await patch(location, offset, bigClip.subarray(offset))
    expect(resumed.status).toBe(204)
    expect(decodeURIComponent(resumed.headers.get('mastervideo-asset') ?? '')).toBe('Большой.mp4')
    const stored = await readFile(path.join(assets, 'Демо', 'Большой.mp4'))
    expect(stored.length).toBe(bigClip.length)
    expect(sha(stored)).toBe(sha(bigClip))
    expect(await staged()).toEqual([])
  })
})

describe('upload settings', () => {
  it('reads MASTERVIDEO_UPLOAD_MAX_BYTES in bytes or binary units, 2 GiB by default, and refuses nonsense', () => {
    expect(uploadLimitBytes({})).toBe(DEFAULT_UPLOAD_MAX_BYTES)
    expect(formatBytes(DEFAULT_UPLOAD_MAX_BYTES)).toBe('2 GiB')
    expect(uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: '1000' })).toBe(1000)
    expect(uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: '500M' })).toBe(500 * 1024 ** 2)
    expect(uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: '2GiB' })).toBe(2 * 1024 ** 3)
    expect(() => uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: 'lots' })).toThrow(/is not a size/)
    expect(() => uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: '0' })).toThrow(/is not a size/)
  })

  it('accepts any script in a clip name and refuses what is unsafe', () => {
    expect(uploadNameReason('Клип «Весна».mp4')).toBeNull()
    expect(uploadNameReason('x.MOV')).toBeNull()
    expect(uploadNameReason('../x.mp4')).toMatch(/^The file name contains \//)
  })
})
