// Streaming under load: back-pressure and file descriptors of aborted clients.
import { readdirSync, readlinkSync } from 'node:fs'
import net from 'node:net'
import type { MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, fixture, request, serveRoutes, type TestServer } from './helpers.js'

let fx: Fixture
let server: TestServer
let record: MasterVideo
let videoPath: string

beforeAll(async () => {
  fx = await fixture()
  ;({ record } = await fx.completedJob({ payloadBytes: 16 * 1024 * 1024 }))
  videoPath = fx.mv.output.localPath?.(record.output?.key ?? '') ?? ''
  server = await serveRoutes(fx.mv)
})
afterAll(async () => {
  await server.close()
  await fx.close()
})

/** Open descriptors of this process, and how many of them are the video file. */
function descriptors(): { total: number; video: number } {
  let video = 0
  const fds = readdirSync('/proc/self/fd')
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === videoPath) video++
    } catch {
      // closed between readdir and readlink
    }
  }
  return { total: fds.length, video }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  if (!check()) throw new Error(`gave up waiting for ${what}`)
}

describe.runIf(process.platform === 'linux')('aborted clients', () => {
  it('200 clients that abort mid-body leave the descriptor count where it was', async () => {
    // Warm up (lazy descriptors of the runtime), then take the baseline.
    expect((await request(`${server.url}/api/projects/p1/master-videos/${record.id}`)).status).toBe(200)
    const before = descriptors()
    expect(before.video).toBe(0)

    const path = `/api/projects/p1/master-videos/${record.id}/video`
    const sockets: net.Socket[] = []
    let receiving = 0
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < 200; i++) {
        // Half whole-file GETs, half large ranges: both stream from the store.
        const range = i % 2 === 0 ? '' : `Range: bytes=${i * 1000}-\r\n`
        const socket = net.connect(server.port, '127.0.0.1', () => {
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${range}\r\n`)
        })
        socket.once('data', () => {
          socket.pause() // stop reading: the server's writes back up
          if (++receiving === 200) resolve()
        })
        socket.on('error', reject)
        sockets.push(socket)
      }
    })
    // Every client holds a response mid-body, so the server holds the file open for it.
    const during = descriptors()
    expect(during.video).toBeGreaterThanOrEqual(150)

    for (const socket of sockets) socket.destroy()
    await until(
      () => descriptors().video === 0 && descriptors().total <= before.total,
      'descriptors to close',
    )
    expect(descriptors().video).toBe(0)
    expect(descriptors().total).toBeLessThanOrEqual(before.total)

    // And the server still answers.
    const after = await request(`${server.url}${path}`, { headers: { Range: 'bytes=0-9' } })
    expect(after.status).toBe(206)
  })

  it('a client that stops reading makes the server stop reading the file (back-pressure)', async () => {
    const responses: import('node:http').ServerResponse[] = []
    const track = (_req: unknown, res: import('node:http').ServerResponse) => responses.push(res)
    server.server.on('request', track)
    const socket = net.connect(server.port, '127.0.0.1')
    socket.write(`GET /api/projects/p1/master-videos/${record.id}/download HTTP/1.1\r\nHost: x\r\n\r\n`)
    await new Promise((resolve) => socket.once('data', resolve))
    socket.pause()
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Without back-pressure the 16 MiB file would pile up in the response's
    // buffer; with it, the buffer stays near one chunk while the client is stuck.
    const [res] = responses
    expect(res?.writableFinished).toBe(false)
    expect(res?.writableLength).toBeLessThan(1024 * 1024)
    server.server.off('request', track)
    socket.destroy()
    await until(() => descriptors().video === 0, 'the download descriptor to close')
  })
})
