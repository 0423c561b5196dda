// The Statistics panel in a real browser: a few real jobs (1 s lavfi clips,
// 320x240, joined by the bundled ffmpeg; one with a 120p rendition, one of a
// file that is not a video) run on the standalone example; the panel's
// figures and its SVG chart equal GET .../master-videos/stats, in English and
// in Russian. Screenshots land in test-output/screenshots/stats-*.png.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa } from 'execa'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { type RunningExample, startExample } from './start-example.js'

const shots = path.resolve(import.meta.dirname, '../../../test-output/screenshots')
const PROJECT = 'stats'
let data: string
let server: RunningExample
let browser: Browser
let page: Page
const pageErrors: string[] = []

async function lavfiClip(file: string, source: string): Promise<void> {
  const { ffmpeg } = await resolveBinaries({})
  await execa(ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `${source}=size=320x240:rate=25:duration=1`],
    ...['-f', 'lavfi', '-i', 'sine=duration=1:sample_rate=48000', '-shortest'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', file],
  ])
}

const api = async (route: string, init: RequestInit = {}) => {
  const res = await fetch(new URL(`/api/projects/${PROJECT}/master-videos${route}`, server.url), {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  return (await res.json()) as Record<string, unknown>
}

async function settled(id: string): Promise<string> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const { status } = await api(`/${id}`)
    if (status === 'completed' || status === 'failed' || status === 'canceled') return String(status)
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${String(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  data = await mkdtemp(path.join(tmpdir(), 'mv-stats-panel-'))
  await mkdir(shots, { recursive: true })
  const folder = path.join(data, 'assets', PROJECT)
  await mkdir(folder, { recursive: true })
  await lavfiClip(path.join(folder, 'a.mp4'), 'testsrc')
  await lavfiClip(path.join(folder, 'b.mp4'), 'testsrc2')
  // Named like a video, but not one: its job fails with INPUT_INVALID.
  await writeFile(path.join(folder, 'broken.mp4'), 'not a video at all')
  server = await startExample(data)
  browser = await launchChromium()
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } })
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(data, { recursive: true, force: true })
})

/** What the panel shows, read from each figure's data-value. */
const panelFigures = () =>
  page.evaluate(`(() => {
    const value = (node) => JSON.parse(node.dataset.value)
    const figures = Object.fromEntries([...document.querySelectorAll('#stats dd[data-stat]')]
      .map((node) => [node.dataset.stat, value(node)]))
    const failures = document.querySelector('#stats [data-stat="failuresByCode"]')
    const bars = Object.fromEntries([...document.querySelectorAll('#stats svg g[data-status]')]
      .map((node) => [node.dataset.status, value(node)]))
    return { ...figures, failuresByCode: failures && value(failures), byStatus: bars }
  })()`) as Promise<Record<string, unknown>>

describe('Statistics panel (standalone example, real Chromium)', () => {
  it('shows the numbers of GET .../stats, with a status chart, in English and Russian', {
    timeout: 240_000,
  }, async () => {
    const ids = [
      (await api('', { method: 'POST', body: JSON.stringify({ name: 'one', shots: ['a.mp4', 'b.mp4'] }) }))
        .id,
      (
        await api('', {
          method: 'POST',
          body: JSON.stringify({
            name: 'two',
            shots: ['b.mp4', 'a.mp4'],
            renditions: [{ name: '120p', height: 120 }],
          }),
        })
      ).id,
      (await api('', { method: 'POST', body: JSON.stringify({ name: 'three', shots: ['broken.mp4'] }) })).id,
    ] as string[]
    const outcomes = await Promise.all(ids.map(settled))
    expect(outcomes).toEqual(['completed', 'completed', 'failed'])

    const fromApi = await api('/stats')
    expect(fromApi).toMatchObject({
      total: 3,
      byStatus: { created: 0, processing: 0, completed: 2, failed: 1, canceled: 0 },
      failuresByCode: { INPUT_INVALID: 1 },
    })
    expect((fromApi.mediaHours as { renditions: number }).renditions).toBeGreaterThan(0)

    await page.goto(new URL(`/#${PROJECT}`, server.url).href)
    await page.locator('#stats > summary').click()
    await page.locator('#stats dd[data-stat="total"]').waitFor()
    const shown = await panelFigures()
    expect(shown).toEqual({
      total: fromApi.total,
      queueWait: fromApi.queueWait,
      processing: fromApi.processing,
      mediaHours: fromApi.mediaHours,
      deliveries: fromApi.deliveries,
      failuresByCode: fromApi.failuresByCode,
      byStatus: fromApi.byStatus,
    })
    const panel = page.locator('#stats')
    await expect.poll(() => panel.locator('summary').textContent()).toBe('Statistics')
    const text = (await panel.textContent()) ?? ''
    for (const words of [
      'Jobs by status',
      'Wait in the queue',
      'Processing time',
      'The clips cannot be joined this way',
    ]) {
      expect(text).toContain(words)
    }
    // The chart is inline SVG with one bar per status, the longest for the most jobs.
    const widths = (await page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('#stats svg g[data-status]')].map((g) => [g.dataset.status, Number(g.querySelector('rect').getAttribute('width'))]))`,
    )) as Record<string, number>
    expect(widths.completed).toBeGreaterThan(widths.failed ?? Number.POSITIVE_INFINITY)
    expect(await page.locator('#stats svg[role="img"]').getAttribute('aria-label')).toContain('ready: 2')
    await panel.screenshot({ path: path.join(shots, 'stats-panel-en.png') })

    await page.selectOption('#language', 'ru')
    await expect.poll(() => panel.locator('summary').textContent()).toBe('Статистика')
    const russian = (await panel.textContent()) ?? ''
    for (const words of [
      'Задания по статусам',
      'Ожидание в очереди',
      'Время обработки',
      'Эти клипы так склеить нельзя',
      'готово',
    ]) {
      expect(russian).toContain(words)
    }
    expect(await panelFigures()).toEqual(shown)
    await panel.screenshot({ path: path.join(shots, 'stats-panel-ru.png') })
    await page.screenshot({ path: path.join(shots, 'stats-page-ru.png'), fullPage: true })

    // At phone width nothing of the panel reaches past the screen's edge.
    await page.setViewportSize({ width: 390, height: 844 })
    const overflowing = await page.evaluate(`[...document.querySelectorAll('#stats, #stats *')]
      .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((node) => node.tagName.toLowerCase() + (node.id ? '#' + node.id : ''))`)
    expect(overflowing).toEqual([])
    await panel.screenshot({ path: path.join(shots, 'stats-panel-phone-ru.png') })

    // The last 24 hours hold every job just made: the panel asks again with a since.
    await page.selectOption('#stats-period', '24')
    await expect.poll(async () => (await panelFigures()).total).toBe(3)
    expect(pageErrors).toEqual([])
  })
})
