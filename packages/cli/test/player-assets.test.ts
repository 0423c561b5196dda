// The dashboard player's files on the standalone server: its script and
// style, and hls.js from the installed package, which player.js loads to
// play an HLS ladder.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore, memoryRepository, silentLogger } from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { standaloneApp } from '../src/server/standalone-app.js'

let dir: string
let app: Hono
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-player-'))
  app = standaloneApp({
    mv: createMasterVideos({
      repository: memoryRepository(),
      transcoder: testTranscoder(),
      assets: (shot) => path.join(dir, shot.assetId),
      output: localOutputStore(path.join(dir, 'output')),
    }),
    transcoder: testTranscoder(),
    assetsRoot: path.join(dir, 'assets'),
    cacheDir: path.join(dir, 'cache'),
    logger: silentLogger,
  })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('dashboard player assets', () => {
  it('serves hls.js, byte for byte the installed dist/hls.min.js', async () => {
    const res = await app.request('/vendor/hls.min.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const installed = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js')
    expect(await res.text()).toBe(await readFile(installed, 'utf8'))
  })

  it('the page loads player.css, and dashboard.js imports player.js, which loads hls.js from that path', async () => {
    const page = await (await app.request('/')).text()
    expect(page).toContain('href="player.css"')
    expect(page).toContain('id="player-quality"')
    expect(page).toContain('id="ladder"')
    expect((await app.request('/player.css')).status).toBe(200)
    expect(await (await app.request('/dashboard.js')).text()).toContain("from './player.js'")
    const player = await (await app.request('/player.js')).text()
    expect(player).toContain("'vendor/hls.min.js'")
  })
})
