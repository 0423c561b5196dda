// The Statistics panel: GET /api/projects/:projectId/master-videos/stats
// (counts by status, p50/p95 queue wait and processing time, failures by
// cause, video produced, webhook deliveries) for the project chosen in
// #project, over a chosen period. Jobs per status are drawn as an inline
// SVG bar chart: no chart library. The panel is a <details>: nothing is
// fetched until it is opened; while open it refreshes every few seconds.
// Every figure carries its raw value in data-value, for tests and tools.

import { formatNumber, has, onLanguageChange, t } from './i18n.js'

const REFRESH_MS = 10_000
const STATUSES = ['created', 'processing', 'completed', 'failed', 'canceled']
/** Period choices: the option value is how far back `since` goes, in hours (0: all time). */
const PERIODS = [
  ['0', 'stats.period.all'],
  ['24', 'stats.period.day'],
  ['168', 'stats.period.week'],
  ['720', 'stats.period.month'],
]
const SVG = 'http://www.w3.org/2000/svg'

const $ = (selector) => document.querySelector(selector)
let stats = null
let problem = null
let timer = null
let loading = null

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:')
    ? document.createElementNS(SVG, tag.slice(4))
    : document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value))
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child)
  return node
}

/** A duration in the unit that reads best: ms, s, min or h. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return t('stats.ms', { value: formatNumber(ms) })
  if (ms < 60_000) return t('stats.sec', { value: formatNumber(ms / 1000, 1) })
  if (ms < 3_600_000) return t('stats.min', { value: formatNumber(ms / 60_000, 1) })
  return t('stats.hours', { value: formatNumber(ms / 3_600_000, 1) })
}

const sinceOf = (hours) => (hours > 0 ? new Date(Date.now() - hours * 3_600_000).toISOString() : null)

async function load() {
  const projectId = $('#project')?.value
  if (!projectId || !$('#stats').open) return
  const since = sinceOf(Number($('#stats-period').value))
  const url = `/api/projects/${encodeURIComponent(projectId)}/master-videos/stats${since ? `?since=${encodeURIComponent(since)}` : ''}`
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' } })
    const body = await response.json().catch(() => null)
    if (!response.ok) {
      problem =
        body?.code === 'UNSUPPORTED'
          ? t('stats.unsupported')
          : t('stats.error', { reason: body?.error ?? t('error.status', { status: response.status }) })
    } else {
      stats = body
      problem = null
    }
  } catch {
    problem = t('stats.error', { reason: t('error.network') })
  }
  render()
}

/** Loads now (one request at a time) and schedules the next refresh while the panel is open. */
function refresh() {
  clearTimeout(timer)
  loading ??= load().finally(() => {
    loading = null
    if ($('#stats').open) timer = setTimeout(refresh, REFRESH_MS)
  })
  return loading
}

function figure(key, label, value, text) {
  return [el('dt', {}, label), el('dd', { 'data-stat': key, 'data-value': JSON.stringify(value) }, text)]
}

function percentiles(key, label, summary) {
  const text =
    summary.count > 0
      ? t('stats.p50p95', { p50: formatDuration(summary.p50Ms), p95: formatDuration(summary.p95Ms) })
      : t('stats.noneMeasured')
  return figure(key, label, summary, text)
}

/** Jobs per status as horizontal bars, labelled in the page's language. */
function statusChart(byStatus) {
  const rowHeight = 26
  const labelWidth = 110
  const width = 360
  const barSpace = width - labelWidth - 40
  const max = Math.max(1, ...STATUSES.map((s) => byStatus[s] ?? 0))
  const summary = STATUSES.map((s) => `${t(`status.${s}`)}: ${byStatus[s] ?? 0}`).join(', ')
  return el(
    'svg:svg',
    {
      class: 'stats-chart',
      viewBox: `0 0 ${width} ${rowHeight * STATUSES.length}`,
      role: 'img',
      'aria-label': `${t('stats.chart')}: ${summary}`,
    },
    el('svg:title', {}, t('stats.chart')),
    STATUSES.map((status, i) => {
      const n = byStatus[status] ?? 0
      const y = i * rowHeight
      return el(
        'svg:g',
        { 'data-status': status, 'data-value': n },
        el('svg:text', { x: 0, y: y + 17, class: 'stats-label' }, t(`status.${status}`)),
        el('svg:rect', {
          x: labelWidth,
          y: y + 5,
          width: n === 0 ? 1 : Math.max(2, (n / max) * barSpace),
          height: rowHeight - 10,
          rx: 3,
          class: `stats-bar ${status}`,
        }),
        el(
          'svg:text',
          { x: labelWidth + (n / max) * barSpace + 6, y: y + 17, class: 'stats-count' },
          formatNumber(n),
        ),
      )
    }),
  )
}

function render() {
  const body = $('#stats-body')
  if (!body) return
  if (problem) {
    body.replaceChildren(el('p', { class: 'error', role: 'alert' }, problem))
    return
  }
  if (!stats) {
    body.replaceChildren(el('p', { class: 'hint' }, t('stats.loading')))
    return
  }
  const media = stats.mediaHours
  const failures = Object.entries(stats.failuresByCode).sort((a, b) => b[1] - a[1])
  const deliveries = stats.deliveries
  body.replaceChildren(
    el(
      'div',
      { class: 'stats-grid' },
      el(
        'dl',
        { class: 'stats-figures' },
        figure('total', t('stats.total'), stats.total, formatNumber(stats.total)),
        percentiles('queueWait', t('stats.queueWait'), stats.queueWait),
        percentiles('processing', t('stats.processing'), stats.processing),
        figure(
          'mediaHours',
          t('stats.media'),
          media,
          t('stats.mediaValue', {
            master: formatDuration(media.master * 3_600_000),
            renditions: formatDuration(media.renditions * 3_600_000),
          }),
        ),
        figure(
          'deliveries',
          t('stats.deliveries'),
          deliveries,
          deliveries
            ? t('stats.deliveriesValue', {
                pending: formatNumber(deliveries.pending),
                delivered: formatNumber(deliveries.delivered),
                dead: formatNumber(deliveries.dead),
              })
            : t('stats.noOutbox'),
        ),
      ),
      el(
        'figure',
        { class: 'stats-figure' },
        statusChart(stats.byStatus),
        el('figcaption', {}, t('stats.chart')),
      ),
    ),
    el('h3', {}, t('stats.failures')),
    failures.length === 0
      ? el('p', { class: 'hint', 'data-stat': 'failuresByCode', 'data-value': '{}' }, t('stats.noFailures'))
      : el(
          'ul',
          {
            class: 'stats-failures',
            'data-stat': 'failuresByCode',
            'data-value': JSON.stringify(stats.failuresByCode),
          },
          failures.map(([code, n]) =>
            el(
              'li',
              { 'data-code': code, 'data-value': n },
              el('span', {}, has(`code.${code}`) ? t(`code.${code}`) : code),
              el('code', {}, code),
              el('strong', {}, formatNumber(n)),
            ),
          ),
        ),
  )
}

function renderPeriods() {
  const select = $('#stats-period')
  const value = select.value || '0'
  select.replaceChildren(
    ...PERIODS.map(([hours, key]) => {
      const option = el('option', { value: hours }, t(key))
      option.selected = hours === value
      return option
    }),
  )
}

function start() {
  const details = $('#stats')
  if (!details) return
  renderPeriods()
  render()
  details.addEventListener('toggle', () => {
    if (details.open) refresh()
    else clearTimeout(timer)
  })
  $('#stats-period').addEventListener('change', () => {
    stats = null
    render()
    refresh()
  })
  $('#stats-refresh').addEventListener('click', () => refresh())
  // Another project: its figures, not the last one's.
  $('#project')?.addEventListener('change', () => {
    stats = null
    render()
    refresh()
  })
  onLanguageChange(() => {
    renderPeriods()
    render()
  })
}

start()
