// The dashboard under load, in a real browser: 50 jobs created in a burst are
// followed over ONE event stream while the page's API calls keep answering;
// a finished video plays and seeks; the server logs no MaxListeners warning.
// Then the list at scale (pages, thumbnails, server times), failure UX, and
// both languages at desktop and phone width. Screenshots land in
// test-output/screenshots/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { type RunningExample, startExample } from './start-example.js'

const shots = path.resolve(import.meta.dirname, '../../../test-output/screenshots')
const BURST = 50
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 900 }

let data: string
let server: RunningExample
let browser: Browser
let context: BrowserContext
let page: Page
/** Every request the page made to an event stream. */
const streams: string[] = []
const pageErrors: string[] = []

const api = async (route: string, init: RequestInit = {}) => {
  const res = await fetch(new URL(route, server.url), {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

interface Job {
  id: string
  name: string
  status: string
  createdAt: string
}

async function waitForJob(id: string, status: string, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { body } = await api(`/api/projects/demo/master-videos/${id}`)
    if (body.status === status) return body as unknown as Job
    if (Date.now() > deadline) throw new Error(`job ${id} is ${String(body.status)}, not ${status}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** The elements that reach past the viewport's right edge (something refuses to wrap); none is the goal. */
const overflows = () =>
  page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map((node) => node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + (typeof node.className === 'string' && node.className ? '.' + node.className.split(' ').join('.') : ''))`) as Promise<
    string[]
  >

beforeAll(async () => {
  data = await mkdtemp(path.join(tmpdir(), 'mv-dashboard-scale-'))
  await mkdir(shots, { recursive: true })
  server = await startExample(data)
  browser = await launchChromium()
  context = await browser.newContext({ locale: 'en-US', viewport: DESKTOP })
  page = await context.newPage()
  page.on('request', (request) => {
    if (/\/events(\?|$)/.test(new URL(request.url()).pathname)) streams.push(new URL(request.url()).pathname)
  })
  page.on('pageerror', (error) => pageErrors.push(error.message))
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(data, { recursive: true, force: true })
})

describe('dashboard at scale (standalone example, real Chromium)', () => {
  it(`follows ${BURST} jobs created in a burst over one stream; the API keeps answering; a video plays and seeks`, {
    timeout: 300_000,
  }, async () => {
    await page.goto(server.url)
    await page.locator('.clip').first().waitFor()
    await page.locator('body[data-live="stream"]').waitFor()

    // One job to watch later: three matching clips.
    for (const clip of ['01-bars.mp4', '02-gradient.mp4', '03-mandelbrot.mp4']) {
      await page.locator(`input[data-asset="${clip}"]`).check()
    }
    expect(await page.locator('#selected-count').textContent()).toBe('3 clips ticked')
    await page.fill('#name', 'Seek me')
    await page.click('#create-button')

    // The burst: 50 creates at once from the page, through the browser's own connections.
    const created = (await page.evaluate(`Promise.all(Array.from({ length: ${BURST} }, (_, i) =>
      fetch('/api/projects/demo/master-videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'burst ' + String(i + 1).padStart(2, '0'), shots: ['01-bars.mp4'] }),
      }).then((res) => res.status)))`)) as number[]
    expect(created).toEqual(Array(BURST).fill(201))

    // While the worker drains the queue, the page's API calls still answer quickly.
    const latencies: number[] = []
    for (let i = 0; i < 5; i++) {
      latencies.push(
        (await page.evaluate(`(async () => {
          const started = performance.now()
          const res = await fetch('/api/projects/demo/master-videos?limit=5')
          await res.json()
          if (!res.ok) throw new Error('status ' + res.status)
          return performance.now() - started
        })()`)) as number,
      )
      await page.waitForTimeout(300)
    }
    console.log(`API latency during the burst (ms): ${latencies.map((ms) => ms.toFixed(1)).join(', ')}`)
    expect(Math.max(...latencies)).toBeLessThan(2000)

    await expect.poll(() => page.locator('.video').count(), { timeout: 30_000 }).toBe(BURST + 1)
    await expect
      .poll(() => page.locator('.video[data-status="completed"]').count(), {
        timeout: 240_000,
        interval: 1000,
      })
      .toBe(BURST + 1)
    expect(streams).toEqual(['/api/projects/demo/master-videos/events'])
    expect(await page.locator('body').getAttribute('data-live')).toBe('stream')
    // Thumbnails arrive with completion, each card's time is the server's.
    const seek = page.locator('.video', { has: page.getByText('Seek me', { exact: true }) })
    await seek.locator('img.thumb').waitFor()
    const id = (await seek.getAttribute('data-id')) as string
    const { body: record } = await api(`/api/projects/demo/master-videos/${id}`)
    expect(await seek.locator('time').getAttribute('datetime')).toBe(record.createdAt)
    await page.screenshot({ path: path.join(shots, 'scale-01-fifty-ready.png') })

    // The finished video plays and seeks.
    await seek.getByRole('button', { name: 'Watch' }).click()
    await page.waitForFunction("document.querySelector('#player-video').readyState >= 2")
    await page.evaluate(
      "(() => { const v = document.querySelector('#player-video'); v.muted = true; return v.play() })()",
    )
    await page.waitForFunction("document.querySelector('#player-video').currentTime > 0.5")
    const duration = Number(await page.evaluate("document.querySelector('#player-video').duration"))
    expect(duration).toBeGreaterThan(8)
    await page.evaluate(`document.querySelector('#player-video').currentTime = ${duration / 2}`)
    await page.waitForFunction(
      `Math.abs(document.querySelector('#player-video').currentTime - ${duration / 2}) < 1.5`,
    )
    await page.keyboard.press('Escape')

    const warnings = server.logs.filter((line) => /MaxListeners/i.test(line))
    expect(warnings).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('pages the list with "Show more", and a deletion elsewhere disappears from the page', {
    timeout: 60_000,
  }, async () => {
    await page.reload()
    await page.locator('.video').first().waitFor()
    expect(await page.locator('.video').count()).toBe(20)
    await page.click('#more')
    await expect.poll(() => page.locator('.video').count()).toBe(40)
    await page.click('#more')
    await expect.poll(() => page.locator('.video').count()).toBe(BURST + 1)
    expect(await page.locator('#more').isHidden()).toBe(true)

    const victim = (await page.locator('.video').nth(3).getAttribute('data-id')) as string
    const res = await fetch(new URL(`/api/projects/demo/master-videos/${victim}`, server.url), {
      method: 'DELETE',
    })
    expect(res.status).toBe(200)
    await page.locator(`.video[data-id="${victim}"]`).waitFor({ state: 'detached' })
  })

  it('failure UX: retry with another strategy, one toast per message, words instead of "Failed to fetch", a player that says why', {
    timeout: 120_000,
  }, async () => {
    // A forced copy of clips that differ fails; the card offers the default strategy for the retry.
    const { body: job } = await api('/api/projects/demo/master-videos', {
      method: 'POST',
      body: JSON.stringify({
        name: 'forced copy',
        shots: ['01-bars.mp4', '04-square-silent.mp4'],
        encoding: { strategy: 'copy' },
      }),
    })
    const card = page.locator(`.video[data-id="${job.id}"]`)
    await card.locator('[data-status="failed"]').first().waitFor({ timeout: 60_000 })
    expect(await card.locator('.error').textContent()).toMatch(/^The clips cannot be joined this way: /)
    expect(await card.locator('.retry-strategy').inputValue()).toBe('auto')

    // The connection drops on retry: one toast in plain words, however often it is pressed.
    await page.route('**/retry', (route) => route.abort('connectionreset'))
    await card.getByRole('button', { name: 'Retry' }).click()
    await card.getByRole('button', { name: 'Retry' }).click()
    await page.locator('.toast.bad').first().waitFor()
    const toasts = await page.locator('.toast').allTextContents()
    expect(toasts.filter((text) => text.includes('cannot be reached'))).toHaveLength(1)
    expect(toasts.join('\n')).not.toContain('Failed to fetch')
    await page.unroute('**/retry')
    await card.getByRole('button', { name: 'Retry' }).click()
    const done = await waitForJob(job.id as string, 'completed')
    expect(done.status).toBe('completed')
    const { body: retried } = await api(`/api/projects/demo/master-videos/${job.id}`)
    expect(retried.encoding).toMatchObject({ strategy: 'auto' })

    // A video the server cannot send: the player says so instead of a silent black box.
    await page.route(`**/${job.id}/video`, (route) => route.fulfill({ status: 500, body: 'broken' }))
    await card.locator('[data-status="completed"]').first().waitFor()
    await card.getByRole('button', { name: 'Watch' }).click()
    await page.locator('#player-error').waitFor()
    expect(await page.locator('#player-error').textContent()).toContain('cannot be played here')
    await page.screenshot({ path: path.join(shots, 'scale-02-player-error.png') })
    await page.keyboard.press('Escape')
    await page.unroute(`**/${job.id}/video`)

    // A missing clip is refused at create, naming it.
    await page.route('**/master-videos', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      await route.continue({
        postData: JSON.stringify({ name: 'ghost', shots: ['01-bars.mp4', 'gone.mp4'] }),
      })
    })
    await page.locator('input[data-asset="01-bars.mp4"]').check()
    await page.fill('#name', 'ghost')
    await page.click('#create-button')
    await page.locator('#create-error:not([hidden])').waitFor()
    expect(await page.locator('#create-error').textContent()).toBe(
      'A clip is missing: This clip does not exist: "gone.mp4"',
    )
    await page.unroute('**/master-videos')
  })

  it('speaks English and Russian, at desktop and phone width, and a long unbreakable name stays inside 390 px', {
    timeout: 120_000,
  }, async () => {
    await api('/api/projects/demo/master-videos', {
      method: 'POST',
      body: JSON.stringify({
        name: `/srv/${'very-long-path-segment'.repeat(8)}.mp4`,
        shots: ['01-bars.mp4'],
      }),
    })
    await page.goto(server.url)
    await page.locator('.video').first().waitFor()
    await page.locator('.clip').first().waitFor()
    expect(await page.locator('#project option').first().textContent()).toBe('Demo project (5 clips)')
    await page.screenshot({ path: path.join(shots, 'i18n-en-desktop.png'), fullPage: true })
    await page.setViewportSize(PHONE)
    expect(await overflows()).toEqual([])
    await page.screenshot({ path: path.join(shots, 'i18n-en-phone.png'), fullPage: true })

    await page.selectOption('#language', 'ru')
    expect(await page.locator('html').getAttribute('lang')).toBe('ru')
    expect(await page.locator('#videos-title').textContent()).toBe('Мастер-видео')
    expect(await page.locator('#project option').first().textContent()).toBe('Demo project (5 клипов)')
    expect(await page.locator('.video .meta').first().textContent()).toContain('1 клип')
    expect(await page.locator('#create-button').textContent()).toBe('Создать мастер-видео')
    expect(await overflows()).toEqual([])
    await page.screenshot({ path: path.join(shots, 'i18n-ru-phone.png'), fullPage: true })
    await page.setViewportSize(DESKTOP)
    await page.screenshot({ path: path.join(shots, 'i18n-ru-desktop.png'), fullPage: true })

    // Plural forms of both languages, as the page words counts.
    const forms = (await page.evaluate(`import('/i18n.js').then((i18n) => {
      const out = []
      for (const lang of ['en', 'ru']) {
        i18n.setLanguage(lang)
        out.push([1, 2, 4, 5, 11, 21, 22, 25].map((n) => i18n.t('clips.count', { n })).join(', '))
      }
      return out
    })`)) as string[]
    expect(forms).toEqual([
      '1 clip, 2 clips, 4 clips, 5 clips, 11 clips, 21 clips, 22 clips, 25 clips',
      '1 клип, 2 клипа, 4 клипа, 5 клипов, 11 клипов, 21 клип, 22 клипа, 25 клипов',
    ])

    // A browser that prefers Russian starts in Russian; the choice is remembered per browser.
    const russian = await browser.newContext({ locale: 'ru-RU', viewport: DESKTOP })
    const ruPage = await russian.newPage()
    await ruPage.goto(server.url)
    await ruPage.locator('.clip').first().waitFor()
    expect(await ruPage.locator('html').getAttribute('lang')).toBe('ru')
    expect(await ruPage.locator('#clips-title').textContent()).toBe('Клипы')
    await russian.close()
  })
})
