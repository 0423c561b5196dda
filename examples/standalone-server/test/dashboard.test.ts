// The newcomer's path in a real browser: Chromium (CHROMIUM_PATH, Debian's,
// else the one npm ships in @sparticuz/chromium) driven by playwright-core
// against the standalone example started as `npm start` runs it. Screenshots
// land in test-output/screenshots/.
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { type RunningExample, startExample } from './start-example.js'

const shots = path.resolve(import.meta.dirname, '../../../test-output/screenshots')
let data: string
let server: RunningExample
let browser: Browser
let page: Page

beforeAll(async () => {
  data = await mkdtemp(path.join(tmpdir(), 'mv-dashboard-'))
  await mkdir(shots, { recursive: true })
  server = await startExample(data)
  browser = await launchChromium()
  page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(data, { recursive: true, force: true })
})

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describe('dashboard (standalone example, real Chromium)', () => {
  it('creates a master video from three clips, watches it reach ready, plays, seeks and downloads it', {
    timeout: 180_000,
  }, async () => {
    await page.goto(server.url)
    await page.locator('.clip').first().waitFor()
    expect(await page.locator('#project option').first().textContent()).toContain('Demo project')
    await page.screenshot({ path: path.join(shots, '01-clips.png'), fullPage: true })

    // Tick three compatible clips with the keyboard and the mouse, in order.
    await page.locator('input[data-asset="01-bars.mp4"]').focus()
    await page.keyboard.press('Space')
    await page.locator('input[data-asset="02-gradient.mp4"]').check()
    await page.locator('input[data-asset="03-mandelbrot.mp4"]').check()
    expect(await page.locator('.order').allTextContents()).toEqual(['1', '2', '3'])
    await page.fill('#name', 'Мастер "003"')
    await page.click('#create-button')

    const card = page.locator('.video').first()
    await card.locator('.status').waitFor()
    await card.locator('[data-status="completed"]').first().waitFor({ timeout: 60_000 })
    await page.locator('.toast.ok').first().waitFor()
    await page.screenshot({ path: path.join(shots, '02-ready.png'), fullPage: true })

    // Play in the modal player: currentTime advances.
    await card.getByRole('button', { name: 'Watch' }).click()
    // Page-side code as strings: this test is type-checked without the DOM library.
    await page.waitForFunction("document.querySelector('#player-video').readyState >= 2")
    await page.evaluate("document.querySelector('#player-video').play()")
    await page.waitForFunction("document.querySelector('#player-video').currentTime > 0.5")
    await page.screenshot({ path: path.join(shots, '03-playing.png') })

    // Seek to the middle: the player streams with byte ranges, and the server logs them.
    const duration = Number(await page.evaluate("document.querySelector('#player-video').duration"))
    expect(duration).toBeGreaterThan(8)
    const middle = duration / 2
    await page.evaluate(`document.querySelector('#player-video').currentTime = ${middle}`)
    await page.waitForFunction(
      `Math.abs(document.querySelector('#player-video').currentTime - ${middle}) < 1.5`,
    )
    const ranged = server.logs.filter((line) => /path=\S+\/video status=206 range=bytes=\d+-/.test(line))
    expect(ranged.length, server.logs.filter((l) => l.includes('/video')).join('\n')).toBeGreaterThan(0)
    await page.keyboard.press('Escape')

    // Download: the saved bytes equal the server's file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(
      /^Мастер _003__master_\d+_[a-z0-9]{8}\.mp4$|^Мастер.*master_\d+_[a-z0-9]{8}\.mp4$/,
    )
    const saved = await readFile((await download.path()) as string)
    const id = (await card.getAttribute('data-id')) as string
    const onServer = await fetch(new URL(`/api/projects/demo/master-videos/${id}/download`, server.url))
    expect(sha(saved)).toBe(sha(Buffer.from(await onServer.arrayBuffer())))
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(shots, '04-phone.png'), fullPage: true })
  })
})
