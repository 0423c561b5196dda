// Your own clips, in a real browser: a new project made from the dashboard,
// two clips of different sizes uploaded (one dropped, one picked) through tus,
// a master video built from them and played. Screenshots land in
// test-output/screenshots/.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa } from 'execa'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { type RunningExample, startExample } from './start-example.js'

const shots = path.resolve(import.meta.dirname, '../../../test-output/screenshots')
const PROJECT = 'Мои клипы'
const SMALL = 'Клип 320.mp4'
const LARGE = 'clip 640.mp4'

let data: string
let server: RunningExample
let browser: Browser
let page: Page

async function lavfiClip(file: string, size: string): Promise<void> {
  const { ffmpeg } = await resolveBinaries({})
  await execa(ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=1`],
    ...['-f', 'lavfi', '-i', 'sine=duration=1', '-shortest'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file],
  ])
}

beforeAll(async () => {
  data = await mkdtemp(path.join(tmpdir(), 'mv-upload-'))
  await mkdir(shots, { recursive: true })
  await mkdir(path.join(data, 'clips'))
  await lavfiClip(path.join(data, 'clips', SMALL), '320x240')
  await lavfiClip(path.join(data, 'clips', LARGE), '640x360')
  server = await startExample(path.join(data, 'server'))
  browser = await launchChromium()
  page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(data, { recursive: true, force: true })
})

describe('uploads in the dashboard (standalone example, real Chromium)', () => {
  it('creates a project, uploads two clips of different sizes, builds a master from them and plays it', {
    timeout: 180_000,
  }, async () => {
    await page.goto(server.url)
    await page.locator('[data-upload-zone] .upload-drop').waitFor()
    // The dashboard has chosen its first project (the demo) and shown its clips.
    await page.locator('.clip').first().waitFor()

    // A new project from the uploader: it becomes the chosen one.
    await page.fill('.upload-project input', PROJECT)
    await page.click('.upload-project button[type="submit"]')
    await page.waitForFunction(`document.querySelector('#project').value === ${JSON.stringify(PROJECT)}`)

    // One clip dropped on the zone, one chosen with the file picker.
    const small = (await readFile(path.join(data, 'clips', SMALL))).toString('base64')
    await page.evaluate(
      `(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(small)}), (c) => c.charCodeAt(0))
        const transfer = new DataTransfer()
        transfer.items.add(new File([bytes], ${JSON.stringify(SMALL)}, { type: 'video/mp4' }))
        const zone = document.querySelector('.upload-drop')
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }))
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      })()`,
    )
    await page.setInputFiles('input[data-upload-input]', path.join(data, 'clips', LARGE))
    await expect
      .poll(() => page.locator('.upload-item[data-state="done"]').count(), { timeout: 60_000 })
      .toBe(2)
    expect(
      await page
        .locator('.upload-item progress')
        .evaluateAll((bars) => bars.map((b) => (b as unknown as { value: number }).value)),
    ).toEqual([100, 100])
    await page.locator(`input[data-asset="${SMALL}"]`).waitFor()
    await page.locator(`input[data-asset="${LARGE}"]`).waitFor()
    await page.screenshot({ path: path.join(shots, 'upload-01-uploaded.png'), fullPage: true })

    // The clips are in the project folder, as uploaded.
    const folder = path.join(data, 'server', 'assets', PROJECT)
    expect(
      (await readFile(path.join(folder, LARGE))).equals(await readFile(path.join(data, 'clips', LARGE))),
    ).toBe(true)

    // Join them (different sizes: the worker re-encodes) and wait for the card to be ready.
    await page.locator(`input[data-asset="${SMALL}"]`).check()
    await page.locator(`input[data-asset="${LARGE}"]`).check()
    await page.fill('#name', 'Из загрузок')
    await page.click('#create-button')
    await page.locator('.video [data-status="completed"]').first().waitFor({ timeout: 90_000 })
    await page.screenshot({ path: path.join(shots, 'upload-02-ready.png'), fullPage: true })

    // Play the master: the page's own video element on the job's /video URL.
    const list = (await (
      await fetch(new URL(`/api/projects/${encodeURIComponent(PROJECT)}/master-videos`, server.url))
    ).json()) as {
      items: Array<{ id: string; status: string; output: { strategy: string; durationSec: number } }>
    }
    const job = list.items.find((item) => item.status === 'completed')
    // Two sizes cannot be stream-copied: the worker re-encoded them to one size.
    expect(job?.output.strategy).toBe('reencode')
    expect(job?.output.durationSec).toBeGreaterThan(1.8)
    const src = `/api/projects/${encodeURIComponent(PROJECT)}/master-videos/${job?.id}/video`
    await page.evaluate(
      `(() => {
        const video = document.createElement('video')
        video.id = 'upload-test-video'
        video.muted = true
        video.src = ${JSON.stringify(src)}
        document.body.append(video)
        return video.play()
      })()`,
    )
    await page.waitForFunction("document.querySelector('#upload-test-video').currentTime > 0.5", undefined, {
      timeout: 30_000,
    })
  })
})
