// Adaptive streaming end to end, in a real browser: the dashboard's form asks
// for two renditions and an HLS ladder of three mixed clips (different sizes,
// one silent), the real worker makes them, and the dashboard's player plays
// the ladder with hls.js in Chromium. Forcing a lower level from the quality
// menu shows in the server's log as segment requests of that level, and a
// seek plays on at it. Screenshots of the quality menu land in
// test-output/screenshots/hls-*.png.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { type RunningExample, startExample } from './start-example.js'

const shots = path.resolve(import.meta.dirname, '../../../test-output/screenshots')
const CLIPS = ['01-bars.mp4', '04-square-silent.mp4', '05-portrait.mp4']

let data: string
let server: RunningExample
let browser: Browser
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  data = await mkdtemp(path.join(tmpdir(), 'mv-hls-'))
  await mkdir(shots, { recursive: true })
  server = await startExample(data)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.on('pageerror', (error) => pageErrors.push(error.message))
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(data, { recursive: true, force: true })
})

interface Ladder {
  id: string
  status: string
  renditions: { name: string; height: number }[]
  hls: { variants: { name: string; segmentKeys: string[] }[] } | null
  urls: { hls: string | null }
}

/** The segment files of `name` the server was asked for, in order, from log line `since` on. */
function segmentRequests(name: string, since = 0): string[] {
  const pattern = new RegExp(`path=\\S+/hls/\\S+_hls_${name}_(\\d+)\\.m4s status=200`)
  return server.logs
    .slice(since)
    .map((line) => pattern.exec(line)?.[1])
    .filter((n): n is string => n !== undefined)
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// Page-side code as strings: this test is type-checked without the DOM library.
const video = "document.querySelector('#player-video')"
const playing = () =>
  page.evaluate("document.querySelector('#player-quality').dataset.playing") as Promise<string>

async function pick(name: string): Promise<void> {
  await page.click('.quality-button')
  await page.getByRole('menuitemradio', { name, exact: true }).click()
}

describe('HLS ladder in the dashboard player (standalone example, real worker, Chromium)', () => {
  it('makes 2 renditions and HLS from 3 mixed clips, plays them with hls.js, switches level and seeks', {
    timeout: 240_000,
  }, async () => {
    await page.goto(server.url)
    await page.locator('.clip').first().waitFor()
    for (const clip of CLIPS) await page.locator(`input[data-asset="${clip}"]`).check()
    await page.fill('#name', 'Ladder')
    // HLS needs a rendition: its box opens once one is ticked.
    expect(await page.locator('#hls').isDisabled()).toBe(true)
    await page.locator('input[name="rendition"][value="360"]').check()
    await page.locator('input[name="rendition"][value="240"]').check()
    await page.locator('#hls').check()
    await page.locator('#ladder').screenshot({ path: path.join(shots, 'hls-00-form.png') })
    await page.click('#create-button')

    const card = page.locator('.video').first()
    await card.locator('[data-status="completed"]').first().waitFor({ timeout: 180_000 })
    const id = (await card.getAttribute('data-id')) as string
    const record = (await (
      await fetch(new URL(`/api/projects/demo/master-videos/${id}`, server.url))
    ).json()) as Ladder
    expect(record.renditions.map((r) => [r.name, r.height])).toEqual([
      ['360p', 360],
      ['240p', 240],
    ])
    expect(record.hls?.variants.map((v) => v.name).sort()).toEqual(['240p', '360p'])
    expect(record.urls.hls).toMatch(/\/hls\/master\.m3u8$/)
    expect(await card.locator('.ladder-summary').textContent()).toBe('360p · 240p · HLS')

    // Watch: the ladder through hls.js, not the MP4.
    await card.getByRole('button', { name: 'Watch' }).click()
    await page.waitForFunction(`${video}.dataset.engine === 'hls.js'`)
    await page.evaluate(`${video}.play()`)
    await page.waitForFunction(`${video}.currentTime > 0.5`, null, { timeout: 30_000 })
    expect(server.logs.some((line) => /path=\S+\/hls\/master\.m3u8 status=200/.test(line))).toBe(true)

    // The quality menu: Auto (naming the level playing), then each rendition, tallest first.
    await page.click('.quality-button')
    const items = await page.locator('.quality-list .label').allTextContents()
    expect(items.slice(1)).toEqual(['360p', '240p'])
    expect(items[0]).toMatch(/^Auto/)
    await page.locator('#player').screenshot({ path: path.join(shots, 'hls-01-quality-menu.png') })
    await page.keyboard.press('Escape')
    expect(await page.locator('#player').getAttribute('open')).not.toBeNull()

    // Force the top level first when Auto began at the bottom, so there is a lower one to force.
    if ((await playing()) !== '360p') {
      const before = server.logs.length
      await pick('360p')
      await until(() => segmentRequests('360p', before).length > 0, 'a 360p segment request')
    }
    const before = server.logs.length
    await pick('240p')
    await until(() => segmentRequests('240p', before).length > 0, 'a 240p segment request after forcing 240p')
    await page.waitForFunction("document.querySelector('#player-quality').dataset.playing === '240p'")
    await page.waitForFunction(`!${video}.paused && ${video}.readyState >= 3`, null, { timeout: 20_000 })
    await page.click('.quality-button')
    expect(
      await page.getByRole('menuitemradio', { name: '240p', exact: true }).getAttribute('aria-checked'),
    ).toBe('true')
    await page.locator('#player').screenshot({ path: path.join(shots, 'hls-02-quality-240p.png') })
    await page.keyboard.press('Escape')

    // Seek back to the start: the player plays on at the forced level, which has served the whole timeline.
    const segments = record.hls?.variants.find((v) => v.name === '240p')?.segmentKeys.length ?? 0
    expect(segments).toBeGreaterThanOrEqual(2)
    const all = Array.from({ length: segments }, (_, i) => String(i + 1).padStart(5, '0'))
    await until(
      () => all.every((n) => segmentRequests('240p', before).includes(n)),
      'every 240p segment since the switch',
    )
    const target = 0.5
    await page.evaluate(`${video}.currentTime = ${target}`)
    await page.waitForFunction(`!${video}.seeking && Math.abs(${video}.currentTime - ${target}) < 1`, null, {
      timeout: 20_000,
    })
    await page.waitForFunction(`${video}.currentTime > ${target + 0.5}`, null, { timeout: 20_000 })
    expect(await playing()).toBe('240p')
    expect(segmentRequests('360p', before)).toEqual([])
    await page.screenshot({ path: path.join(shots, 'hls-03-after-seek.png') })
    await page.keyboard.press('Escape')

    // The menu in Russian, for the screenshots.
    await page.selectOption('#language', 'ru')
    await card.getByRole('button', { name: 'Смотреть' }).click()
    await page.waitForFunction(`${video}.dataset.engine === 'hls.js'`)
    await page.waitForFunction(`${video}.readyState >= 2`)
    await page.click('.quality-button')
    expect((await page.locator('.quality-list .label').allTextContents())[0]).toMatch(/^Авто/)
    await page.locator('#player').screenshot({ path: path.join(shots, 'hls-04-quality-menu-ru.png') })
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await page.selectOption('#language', 'en')
    expect(pageErrors).toEqual([])
  })
})
