// The mastervideo dashboard: plain ES modules, no build step. It talks to the
// standalone server's JSON API: /api/projects (projects and their clips) and
// the @mastervideo/http-hono routes under /api/projects/:projectId/master-videos.
// The list follows the project over ONE server-sent event stream
// (GET .../master-videos/events), whatever the number of jobs: a browser gives
// a host only six HTTP/1.1 connections, and the page's own calls and the video
// need them. When the stream is unavailable, the list is polled instead.
// Another module can ask for the clips to be read again with
// document.dispatchEvent(new CustomEvent('mastervideo:assets-changed')).

import {
  formatAgo,
  formatNumber,
  formatTime,
  has,
  LANGUAGES,
  language,
  onLanguageChange,
  setLanguage,
  startLanguage,
  t,
  translatePage,
} from './i18n.js'
import { attachPlayer, ladderChoice, ladderSummary, mountLadderChoice, resetLadderChoice } from './player.js'

const API = '/api/projects'
const PAGE_SIZE = 20
const POLL_MS = 5000
/** How long a stream may stay broken before the page polls instead (the browser reconnects meanwhile). */
const STREAM_GRACE_MS = 3000
const TOAST_MS = 6000
const MAX_TOASTS = 3

const $ = (selector) => document.querySelector(selector)
const state = {
  config: { strategies: [] },
  projects: [],
  projectId: null,
  clips: [],
  refused: [],
  selected: [], // asset ids, in the order they were ticked
  videos: new Map(), // id -> record
  nextCursor: null, // the list's next page, or null when every job is shown
  cards: new Map(), // id -> <li>
  dirty: new Set(), // ids whose card must be drawn again
  renderQueued: false,
  stream: null, // { close() } of the project's event stream
}

/** An API failure in words a person can act on; `code` is the server's error code when it sent one. */
class ApiError extends Error {
  constructor(message, { status = 0, code = null } = {}) {
    super(message)
    this.status = status
    this.code = code
  }
}

async function api(path, options = {}) {
  let response
  try {
    response = await fetch(path, {
      ...options,
      headers: {
        accept: 'application/json',
        ...(options.body ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
    })
  } catch {
    // fetch rejects with a bare TypeError ("Failed to fetch"): say what it means.
    throw new ApiError(t('error.network'))
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null)
  if (!response.ok) {
    const code = typeof body?.code === 'string' ? body.code : null
    const detail = typeof body?.error === 'string' ? body.error : null
    const message = detail
      ? `${code && has(`code.${code}`) ? `${t(`code.${code}`)}: ` : ''}${detail}`
      : t('error.status', { status: response.status })
    throw new ApiError(message, { status: response.status, code })
  }
  return body
}

const reasonOf = (error) => (error instanceof ApiError ? error.message : t('error.network'))

const projectPath = (projectId = state.projectId) => `${API}/${encodeURIComponent(projectId)}`
const videosPath = (id = '') => `${projectPath()}/master-videos${id ? `/${encodeURIComponent(id)}` : ''}`
const urlOf = (record, kind) => record.urls?.[kind] ?? `${videosPath(record.id)}/${kind}`

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
    else if (key === 'dataset') Object.assign(node.dataset, value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child)
  return node
}

// ---- toasts: one per message, at most three ----

function toast(message, kind = '') {
  const box = $('#toasts')
  const same = [...box.children].find((node) => node.dataset.message === message)
  if (same) {
    // The same news again: keep the one toast, and let it stay a while longer.
    clearTimeout(Number(same.dataset.timer))
    same.dataset.timer = String(setTimeout(() => same.remove(), TOAST_MS))
    return
  }
  const node = el('div', { class: `toast ${kind}`, dataset: { message } }, message)
  node.dataset.timer = String(setTimeout(() => node.remove(), TOAST_MS))
  box.append(node)
  while (box.children.length > MAX_TOASTS) box.firstElementChild?.remove()
}

// ---- settings from the server ----

const strategyLabel = (strategy) => (has(`strategy.${strategy}`) ? t(`strategy.${strategy}`) : strategy)

function strategyOptions(selected) {
  return state.config.strategies.map((strategy) =>
    el('option', { value: strategy, selected: strategy === selected }, strategyLabel(strategy)),
  )
}

/** The join strategies come from the server (core's CONCAT_STRATEGIES), in its order; the first is the default. */
async function loadConfig() {
  state.config = await api('/api/dashboard')
  renderStrategies()
}

function renderStrategies() {
  const select = $('#strategy')
  const value = select.value
  select.replaceChildren(...strategyOptions(value || state.config.strategies[0]))
}

// ---- projects and clips ----

async function loadProjects() {
  state.projects = await api(API)
  renderProjects()
  const usable = state.projects.filter((p) => !p.unusable)
  // A project chosen or made while this list was on its way is newer than
  // the list: keep it rather than fall back to the first project.
  if (state.projectId && !usable.some((p) => p.id === state.projectId)) return
  const fromHash = decodeURIComponent(location.hash.slice(1))
  const initial =
    usable.find((p) => p.id === state.projectId)?.id ??
    usable.find((p) => p.id === fromHash)?.id ??
    usable[0]?.id
  if (initial && initial !== state.projectId) await selectProject(initial)
  else if (initial) await loadClips()
}

function renderProjects() {
  const select = $('#project')
  select.replaceChildren(
    ...state.projects.map((p) =>
      p.unusable
        ? el(
            'option',
            { value: p.id, disabled: true, title: p.unusable },
            t('project.unusable', { name: p.name }),
          )
        : el(
            'option',
            { value: p.id, selected: p.id === state.projectId },
            t('project.option', { name: p.name, clips: t('clips.count', { n: p.clipCount }) }),
          ),
    ),
  )
  if (state.projects.length === 0)
    select.append(el('option', { value: '', disabled: true }, t('project.none')))
}

async function selectProject(projectId) {
  state.stream?.close()
  state.stream = null
  state.projectId = projectId
  state.selected = []
  state.clips = []
  resetVideos()
  history.replaceState(null, '', `#${encodeURIComponent(projectId)}`)
  $('#project').value = projectId
  const clips = loadClips()
  const videos = loadFirstPage()
  state.stream = followProject(projectId)
  await Promise.all([clips, videos])
}

async function loadClips() {
  const projectId = state.projectId
  try {
    const clips = await api(`${projectPath(projectId)}/assets`)
    if (projectId !== state.projectId) return
    state.clips = clips
    state.selected = state.selected.filter((id) => clips.some((clip) => clip.id === id))
  } catch (e) {
    toast(t('error.clips', { reason: reasonOf(e) }), 'bad')
  }
  state.refused = state.projects.find((p) => p.id === projectId)?.refused ?? []
  renderClips()
}

function renderClips() {
  $('#clips').replaceChildren(
    ...state.clips.map((clip) => {
      const order = state.selected.indexOf(clip.id)
      return el(
        'li',
        { class: 'clip' },
        el(
          'label',
          {},
          el('input', {
            type: 'checkbox',
            checked: order >= 0,
            'data-asset': clip.id,
            'aria-label': t('clip.use', { name: clip.name }),
            onchange: (event) => toggleClip(clip.id, event.target.checked),
          }),
          el('img', { src: clip.thumbnailUrl, alt: '', loading: 'lazy' }),
          order >= 0 ? el('span', { class: 'order', 'aria-hidden': 'true' }, String(order + 1)) : null,
          el('div', { class: 'title' }, clip.name),
          el(
            'div',
            { class: 'meta' },
            el('span', {}, t('clip.seconds', { value: formatNumber(clip.durationSec, 1) })),
            el('span', {}, `${clip.width}×${clip.height}${clip.hasAudio ? '' : ` · ${t('clip.noAudio')}`}`),
          ),
        ),
      )
    }),
  )
  $('#clips-empty').hidden = state.clips.length > 0
  // Files the server will not offer are named, with the reason: nothing disappears silently.
  const refused = $('#refused')
  refused.hidden = state.refused.length === 0
  $('#refused-summary').textContent = t('refused.summary', { n: state.refused.length })
  $('#refused-list').replaceChildren(
    ...state.refused.map((entry) =>
      el(
        'li',
        {},
        el('span', { class: 'refused-name' }, entry.name),
        ': ',
        has(`refused.${entry.code}`) ? t(`refused.${entry.code}`) : entry.reason,
      ),
    ),
  )
  $('#selected-count').textContent = state.selected.length
    ? t('create.selected', { n: state.selected.length })
    : ''
}

function toggleClip(assetId, checked) {
  state.selected = state.selected.filter((id) => id !== assetId)
  if (checked) state.selected.push(assetId)
  renderClips()
  // Re-rendering replaces the checkbox; keep keyboard focus where it was.
  document.querySelector(`input[data-asset="${CSS.escape(assetId)}"]`)?.focus()
}

async function createMasterVideo(event) {
  event.preventDefault()
  const error = $('#create-error')
  error.hidden = true
  const name = $('#name').value.trim()
  const problem = state.selected.length === 0 ? t('create.needClip') : !name ? t('create.needName') : null
  if (problem) {
    error.textContent = problem
    error.hidden = false
    return
  }
  const button = $('#create-button')
  button.disabled = true
  try {
    const strategy = $('#strategy').value
    const record = await api(videosPath(), {
      method: 'POST',
      headers: { 'idempotency-key': crypto.randomUUID() },
      // No strategy picked (the settings did not load): the server's default.
      body: JSON.stringify({
        name,
        shots: state.selected,
        ...(strategy ? { encoding: { strategy } } : {}),
        ...ladderChoice($('#create')),
      }),
    })
    upsert(record)
    $('#name').value = ''
    resetLadderChoice($('#ladder'))
    state.selected = []
    renderClips()
    toast(t('create.done', { name: record.name }))
  } catch (e) {
    error.textContent = reasonOf(e)
    error.hidden = false
  } finally {
    button.disabled = false
  }
}

// ---- master videos: the list, one page at a time ----

function resetVideos() {
  state.videos.clear()
  state.cards.clear()
  state.dirty.clear()
  state.nextCursor = null
  $('#videos').replaceChildren()
  renderVideos()
}

async function loadFirstPage() {
  const projectId = state.projectId
  try {
    const page = await api(`${videosPath()}?limit=${PAGE_SIZE}`)
    if (projectId !== state.projectId) return
    state.nextCursor = page.nextCursor
    for (const record of page.items) upsert(record, { listed: true })
  } catch (e) {
    toast(t('error.videos', { reason: reasonOf(e) }), 'bad')
  }
  scheduleRender()
}

async function loadMore() {
  const projectId = state.projectId
  const button = $('#more')
  button.disabled = true
  try {
    const page = await api(
      `${videosPath()}?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(state.nextCursor)}`,
    )
    if (projectId !== state.projectId) return
    state.nextCursor = page.nextCursor
    for (const record of page.items) upsert(record, { listed: true })
  } catch (e) {
    toast(t('error.videos', { reason: reasonOf(e) }), 'bad')
  } finally {
    button.disabled = false
  }
}

const timeOf = (record) => Date.parse(record.updatedAt ?? '') || 0
const createdOf = (record) => Date.parse(record.createdAt ?? '') || 0
const oldestShown = () => Math.min(...[...state.videos.values()].map(createdOf))

/**
 * Takes a record from the server. An older copy than the one shown is
 * ignored (events and polls may cross); an event about a job older than
 * every shown one waits for "Show more", unless the whole list is shown.
 */
function upsert(record, { announce = false, listed = false } = {}) {
  const previous = state.videos.get(record.id)
  if (previous && timeOf(record) < timeOf(previous)) return
  if (!previous && !listed && state.nextCursor && state.videos.size > 0 && createdOf(record) < oldestShown())
    return
  state.videos.set(record.id, { ...previous, ...record })
  state.dirty.add(record.id)
  if (announce && previous && previous.status !== record.status) {
    if (record.status === 'completed') toast(t('toast.ready', { name: record.name }), 'ok')
    if (record.status === 'failed')
      toast(t('toast.failed', { name: record.name, reason: errorText(record.error) }), 'bad')
  }
  scheduleRender()
}

function removeVideo(id) {
  if (!state.videos.delete(id)) return
  state.cards.get(id)?.remove()
  state.cards.delete(id)
  scheduleRender()
}

function setProgress(id, progress) {
  const record = state.videos.get(id)
  if (!record || record.status !== 'processing' || progress <= (record.progress ?? 0)) return
  record.progress = progress
  state.dirty.add(id)
  scheduleRender()
}

// ---- the project's event stream, and polling when it is unavailable ----

/** Follows every job of the project over one EventSource; polls the list while the stream is down. */
function followProject(projectId) {
  let closed = false
  let source = null
  let pollTimer = null
  let graceTimer = null
  let reopenTimer = null
  const mine = () => !closed && projectId === state.projectId

  const setLive = (mode) => {
    document.body.dataset.live = mode
    $('#live').textContent = t(mode === 'stream' ? 'live.stream' : 'live.polling')
    $('#live').dataset.mode = mode
  }
  const poll = async () => {
    if (!mine()) return
    try {
      const limit = Math.min(100, Math.max(PAGE_SIZE, state.videos.size))
      const page = await api(`${videosPath()}?limit=${limit}`)
      if (!mine()) return
      for (const record of page.items) upsert(record, { announce: true, listed: true })
      // Jobs gone from a page that reaches back past them were deleted elsewhere.
      const present = new Set(page.items.map((r) => r.id))
      const oldest = page.nextCursor ? Math.min(...page.items.map(createdOf)) : 0
      for (const [id, record] of state.videos)
        if (!present.has(id) && createdOf(record) >= oldest) removeVideo(id)
    } catch {
      // The server may be restarting: the next poll tries again.
    }
    if (mine() && !source) pollTimer = setTimeout(poll, POLL_MS)
  }
  const startPolling = () => {
    clearTimeout(graceTimer)
    if (!mine() || pollTimer) return
    setLive('polling')
    pollTimer = setTimeout(poll, 0)
  }
  const stopPolling = () => {
    clearTimeout(pollTimer)
    pollTimer = null
  }

  const onRecord = (event) => {
    if (!mine()) return
    try {
      upsert(JSON.parse(event.data), { announce: true })
    } catch {
      // a malformed frame: ignore it
    }
  }
  const open = () => {
    if (!mine()) return
    if (!('EventSource' in window)) return startPolling()
    source = new EventSource(`${videosPath()}/events`)
    for (const type of ['created', 'processing', 'completed', 'failed', 'canceled']) {
      source.addEventListener(type, onRecord)
    }
    source.addEventListener('progress', (event) => {
      const data = JSON.parse(event.data)
      if (mine()) setProgress(data.id, data.progress)
    })
    source.addEventListener('deleted', (event) => {
      const data = JSON.parse(event.data)
      if (mine()) removeVideo(data.id)
    })
    source.onopen = () => {
      clearTimeout(graceTimer)
      const wasPolling = pollTimer !== null || document.body.dataset.live === 'polling'
      stopPolling()
      setLive('stream')
      // What happened while the stream was down: one read of the list catches up.
      if (wasPolling) void poll()
    }
    source.onerror = () => {
      if (!mine()) return
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (an older server, a proxy): poll, and try the stream again later.
        source = null
        startPolling()
        reopenTimer = setTimeout(open, 30_000)
      } else {
        // The browser reconnects by itself; poll if that takes long.
        graceTimer = setTimeout(startPolling, STREAM_GRACE_MS)
      }
    }
  }
  open()
  return {
    close() {
      closed = true
      source?.close()
      stopPolling()
      clearTimeout(graceTimer)
      clearTimeout(reopenTimer)
    },
  }
}

// ---- actions ----

async function action(record, verb, options = {}) {
  try {
    if (verb === 'delete') {
      if (!confirm(t('action.confirmDelete', { name: record.name }))) return
      await api(videosPath(record.id), { method: 'DELETE' })
      removeVideo(record.id)
      toast(t('toast.deleted', { name: record.name }))
    } else if (verb === 'retry') {
      const body = options.encoding ? { body: JSON.stringify({ encoding: options.encoding }) } : {}
      upsert(await api(`${videosPath(record.id)}/retry`, { method: 'POST', ...body }))
      toast(t('toast.retried', { name: record.name }))
    } else {
      upsert(await api(`${videosPath(record.id)}/${verb}`, { method: 'POST' }))
    }
  } catch (e) {
    toast(reasonOf(e), 'bad')
  }
}

const MEDIA_ERRORS = { 1: 'unknown', 2: 'network', 3: 'decode', 4: 'source' }

function openPlayer(record) {
  const dialog = $('#player')
  const video = $('#player-video')
  const failure = $('#player-error')
  $('#player-title').textContent = record.name
  failure.hidden = true
  // A video that cannot load says so instead of staying a silent black box.
  const onError = () => {
    const reason = t(`player.reason.${MEDIA_ERRORS[video.error?.code] ?? 'unknown'}`)
    failure.replaceChildren(
      t('player.error', { reason }),
      ' ',
      el('a', { href: urlOf(record, 'download'), download: '' }, t('action.download')),
    )
    failure.hidden = false
    video.hidden = true
  }
  video.hidden = false
  video.addEventListener('error', onError)
  // The HLS ladder with a quality menu when the job has one, else the MP4 (player.js).
  const player = attachPlayer(video, record, {
    menuContainer: $('#player-quality'),
    fallbackUrl: urlOf(record, 'video'),
  })
  dialog.showModal()
  video.focus()
  dialog.addEventListener(
    'close',
    () => {
      video.removeEventListener('error', onError)
      player.destroy()
    },
    { once: true },
  )
}

// ---- drawing the list ----

function errorText(error) {
  if (!error) return t('code.other')
  const title = has(`code.${error.code}`) ? t(`code.${error.code}`) : t('code.other')
  return error.message ? `${title}: ${error.message}` : title
}

/** The strategy a failed job's retry offers first: the server's default when the job's own failed. */
function retryChoice(record) {
  const own = record.encoding?.strategy ?? state.config.strategies[0]
  return record.status === 'failed' && own !== state.config.strategies[0] ? state.config.strategies[0] : own
}

function card(record) {
  const running = record.status === 'processing' || record.status === 'created'
  const percent = Math.round((record.progress ?? 0) * 100)
  const created = new Date(record.createdAt)
  const retrySelect =
    record.status === 'failed' || record.status === 'canceled'
      ? el(
          'select',
          { class: 'retry-strategy', 'aria-label': t('action.retryWith') },
          ...strategyOptions(retryChoice(record)),
        )
      : null
  const retry = () => {
    const strategy = retrySelect?.value
    const own = record.encoding?.strategy ?? state.config.strategies[0]
    return action(record, 'retry', strategy && strategy !== own ? { encoding: { strategy } } : {})
  }
  return el(
    'li',
    { class: 'video', 'data-id': record.id, 'data-status': record.status },
    record.urls?.thumbnail
      ? el('img', {
          class: 'thumb',
          src: record.urls.thumbnail,
          alt: t('video.thumbnail', { name: record.name }),
          loading: 'lazy',
        })
      : el('div', { class: 'thumb placeholder', 'aria-hidden': 'true' }),
    el(
      'div',
      { class: 'video-body' },
      el(
        'div',
        { class: 'video-head' },
        el('span', { class: 'video-name' }, record.name),
        el(
          'span',
          { class: 'status', 'data-status': record.status },
          record.status === 'processing' ? el('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
          t(`status.${record.status}`),
          record.status === 'processing' ? ` ${percent}%` : '',
        ),
      ),
      running
        ? el('progress', {
            max: '100',
            value: String(percent),
            'aria-label': t('video.progress', { name: record.name }),
          })
        : null,
      el(
        'div',
        { class: 'meta' },
        el(
          'time',
          { datetime: record.createdAt, title: created.toLocaleString(language()) },
          t('video.createdAt', { time: formatTime(created) }),
          ' · ',
          el('span', { 'data-ago': record.createdAt }, formatAgo(created)),
        ),
        el('span', {}, t('clips.count', { n: record.shots?.length ?? 0 })),
        record.output
          ? el(
              'span',
              {},
              `${t('video.duration', { value: formatNumber(record.output.durationSec, 1) })} · ${t(`video.strategy.${record.output.strategy}`)}`,
            )
          : null,
        record.output
          ? el('span', {}, t('video.size', { value: formatNumber(record.output.size / 1e6, 1) }))
          : null,
        ladderSummary(record) ? el('span', { class: 'ladder-summary' }, ladderSummary(record)) : null,
      ),
      record.error && record.status !== 'canceled'
        ? el('p', { class: 'error' }, errorText(record.error))
        : null,
      el(
        'div',
        { class: 'actions' },
        record.status === 'completed'
          ? [
              el('button', { type: 'button', onclick: () => openPlayer(record) }, t('action.watch')),
              el(
                'a',
                { class: 'button', href: urlOf(record, 'download'), download: '' },
                t('action.download'),
              ),
            ]
          : null,
        retrySelect
          ? el(
              'span',
              { class: 'retry' },
              el('button', { type: 'button', class: 'secondary', onclick: retry }, t('action.retry')),
              retrySelect,
            )
          : null,
        running
          ? el(
              'button',
              { type: 'button', class: 'secondary', onclick: () => action(record, 'cancel') },
              t('action.cancel'),
            )
          : null,
        el(
          'button',
          { type: 'button', class: 'danger', onclick: () => action(record, 'delete') },
          t('action.delete'),
        ),
      ),
    ),
  )
}

function scheduleRender() {
  if (state.renderQueued) return
  state.renderQueued = true
  requestAnimationFrame(() => {
    state.renderQueued = false
    renderVideos()
  })
}

/** Draws again only the cards that changed, then puts them in order (newest first); moving a card keeps its image. */
function renderVideos() {
  for (const id of state.dirty) {
    const record = state.videos.get(id)
    if (!record) continue
    // Keep the focus on the same control of a card drawn again.
    const active = document.activeElement
    const old = state.cards.get(id)
    const focusedText = old?.contains(active) ? active.textContent : null
    const next = card(record)
    if (old) old.replaceWith(next)
    state.cards.set(id, next)
    if (focusedText !== null)
      [...next.querySelectorAll('button, a')].find((n) => n.textContent === focusedText)?.focus()
  }
  state.dirty.clear()
  const ordered = [...state.videos.values()].sort(
    (a, b) => createdOf(b) - createdOf(a) || String(b.id).localeCompare(String(a.id)),
  )
  const list = $('#videos')
  let previous = null
  for (const record of ordered) {
    const node = state.cards.get(record.id)
    const expected = previous ? previous.nextSibling : list.firstChild
    if (node !== expected) list.insertBefore(node, expected)
    previous = node
  }
  $('#videos-empty').hidden = state.videos.size > 0
  $('#more').hidden = !state.nextCursor
}

// "5 minutes ago" keeps up without drawing the cards again.
setInterval(() => {
  for (const node of document.querySelectorAll('[data-ago]'))
    node.textContent = formatAgo(new Date(node.dataset.ago))
}, 30_000)

// ---- language ----

function renderLanguages() {
  $('#language').replaceChildren(
    ...LANGUAGES.map(([code, name]) =>
      el('option', { value: code, selected: code === language(), lang: code }, name),
    ),
  )
}

onLanguageChange(() => {
  translatePage()
  renderLanguages()
  renderStrategies()
  renderProjects()
  renderClips()
  for (const id of state.videos.keys()) state.dirty.add(id)
  if (state.stream)
    $('#live').textContent = t(document.body.dataset.live === 'stream' ? 'live.stream' : 'live.polling')
  renderVideos()
})

// ---- start ----

startLanguage()
translatePage()
renderLanguages()
renderVideos()
$('#language').addEventListener('change', (event) => setLanguage(event.target.value))
// The uploader fires 'change' after a clip arrived (same project: read the clips and counts
// again) or after it made a project (another one: switch to it).
$('#project').addEventListener('change', (event) => {
  const projectId = event.target.value
  const switching = projectId !== state.projectId ? selectProject(projectId) : Promise.resolve()
  switching.then(loadProjects).catch((e) => toast(t('error.projects', { reason: reasonOf(e) }), 'bad'))
})
$('#create').addEventListener('submit', createMasterVideo)
mountLadderChoice($('#ladder'))
$('#more').addEventListener('click', loadMore)
document.addEventListener('mastervideo:assets-changed', () => {
  loadProjects().catch((e) => toast(t('error.projects', { reason: reasonOf(e) }), 'bad'))
})
loadConfig().catch((e) => toast(t('error.settings', { reason: reasonOf(e) }), 'bad'))
loadProjects().catch((e) => toast(t('error.projects', { reason: reasonOf(e) }), 'bad'))
