// The mastervideo dashboard: plain ES modules, no build step. It talks to the
// standalone server's JSON API: /api/projects (projects and their clips) and
// the @mastervideo/http-hono routes under /api/projects/:projectId/master-videos.

const API = '/api/projects'
const FINAL = new Set(['completed', 'failed', 'canceled'])
const POLL_MS = 5000
const GIVE_UP_MS = 30 * 60 * 1000
const LABELS = {
  created: 'created',
  processing: 'processing',
  completed: 'ready',
  failed: 'failed',
  canceled: 'canceled',
}

const $ = (selector) => document.querySelector(selector)
const state = {
  projectId: null,
  clips: [],
  selected: [], // asset ids, in the order they were ticked
  videos: new Map(), // id -> record
  watchers: new Map(), // id -> { close() }
  seenAt: new Map(), // id -> ms of the last update we received
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: {
      accept: 'application/json',
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
  })
  const body = response.status === 204 ? null : await response.json().catch(() => null)
  if (!response.ok) throw new Error(body?.error ?? `${response.status} ${response.statusText}`)
  return body
}

const videosPath = (id = '') =>
  `${API}/${encodeURIComponent(state.projectId)}/master-videos${id ? `/${encodeURIComponent(id)}` : ''}`
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

function toast(message, kind = '') {
  const node = el('div', { class: `toast ${kind}` }, message)
  $('#toasts').append(node)
  setTimeout(() => node.remove(), 6000)
}

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
  if (s < 60) return `updated ${s} s ago`
  const m = Math.round(s / 60)
  return m < 60 ? `updated ${m} min ago` : `updated ${Math.round(m / 60)} h ago`
}

const seconds = (value) => (typeof value === 'number' ? `${value.toFixed(1)} s` : '')

// ---- settings from the server ----

/** Fills the strategy picker with the server's list (core's CONCAT_STRATEGIES), in its order. */
async function loadConfig() {
  const config = await api('/api/dashboard')
  $('#strategy').replaceChildren(
    ...config.strategies.map((strategy) => el('option', { value: strategy }, strategy)),
  )
}

// ---- projects and clips ----

async function loadProjects() {
  const projects = await api(API)
  const select = $('#project')
  select.replaceChildren(
    ...projects.map((p) => el('option', { value: p.id }, `${p.name} (${p.clipCount} clips)`)),
  )
  const fromHash = decodeURIComponent(location.hash.slice(1))
  const initial = projects.find((p) => p.id === fromHash)?.id ?? projects[0]?.id
  if (initial) {
    select.value = initial
    await selectProject(initial)
  }
}

async function selectProject(projectId) {
  for (const watcher of state.watchers.values()) watcher.close()
  state.watchers.clear()
  state.videos.clear()
  state.projectId = projectId
  state.selected = []
  history.replaceState(null, '', `#${encodeURIComponent(projectId)}`)
  const [clips, page] = await Promise.all([
    api(`${API}/${encodeURIComponent(projectId)}/assets`),
    api(`${videosPath()}?limit=50`),
  ])
  state.clips = clips
  renderClips()
  for (const record of page.items) upsert(record)
  renderVideos()
}

function renderClips() {
  const list = $('#clips')
  list.replaceChildren(
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
            'aria-label': `Use clip ${clip.name}`,
            onchange: (event) => toggleClip(clip.id, event.target.checked),
          }),
          el('img', { src: clip.thumbnailUrl, alt: '', loading: 'lazy' }),
          order >= 0 ? el('span', { class: 'order', 'aria-hidden': 'true' }, String(order + 1)) : null,
          el('div', { class: 'title' }, clip.name),
          el(
            'div',
            { class: 'meta' },
            el('span', {}, seconds(clip.durationSec)),
            el('span', {}, `${clip.width}×${clip.height}${clip.hasAudio ? '' : ' · no audio'}`),
          ),
        ),
      )
    }),
  )
}

function toggleClip(assetId, checked) {
  state.selected = state.selected.filter((id) => id !== assetId)
  if (checked) state.selected.push(assetId)
  renderClips()
  focusClip(assetId)
}

// Re-rendering replaces the checkbox; keep keyboard focus where it was.
function focusClip(assetId) {
  document.querySelector(`input[data-asset="${CSS.escape(assetId)}"]`)?.focus()
}

async function createMasterVideo(event) {
  event.preventDefault()
  const error = $('#create-error')
  error.hidden = true
  const name = $('#name').value.trim()
  if (state.selected.length === 0) {
    error.textContent = 'Tick at least one clip.'
    error.hidden = false
    return
  }
  if (!name) {
    error.textContent = 'Give the master video a name.'
    error.hidden = false
    return
  }
  const button = $('#create-button')
  button.disabled = true
  try {
    const record = await api(videosPath(), {
      method: 'POST',
      headers: { 'idempotency-key': crypto.randomUUID() },
      // No strategy picked (the settings did not load): the server's default.
      body: JSON.stringify({
        name,
        shots: state.selected,
        ...($('#strategy').value ? { encoding: { strategy: $('#strategy').value } } : {}),
      }),
    })
    upsert(record)
    renderVideos()
    $('#name').value = ''
    state.selected = []
    renderClips()
    toast(`“${record.name}” created`)
  } catch (e) {
    error.textContent = e.message
    error.hidden = false
  } finally {
    button.disabled = false
  }
}

// ---- master videos: live status ----

function upsert(record) {
  const previous = state.videos.get(record.id)
  state.videos.set(record.id, { ...previous, ...record })
  state.seenAt.set(record.id, Date.now())
  if (previous && previous.status !== record.status && FINAL.has(record.status)) {
    if (record.status === 'completed') toast(`“${record.name}” is ready`, 'ok')
    if (record.status === 'failed')
      toast(`“${record.name}” failed: ${record.error?.message ?? 'unknown error'}`, 'bad')
  }
  if (FINAL.has(record.status)) {
    state.watchers.get(record.id)?.close()
    state.watchers.delete(record.id)
  } else if (!state.watchers.has(record.id)) {
    state.watchers.set(record.id, watch(record))
  }
}

/** Follows one job over server-sent events; falls back to polling every 5 s; gives up after 30 minutes. */
function watch(record) {
  const projectId = state.projectId
  const started = Date.now()
  let source = null
  let timer = null
  let closed = false

  const apply = (data) => {
    if (closed || projectId !== state.projectId) return
    const current = state.videos.get(record.id) ?? record
    if (data && typeof data.status === 'string') upsert({ ...current, ...data })
    else if (data && typeof data.progress === 'number') upsert({ ...current, progress: data.progress })
    renderVideos()
  }
  const poll = async () => {
    if (closed) return
    if (Date.now() - started > GIVE_UP_MS) return close()
    try {
      apply(await api(videosPath(record.id)))
    } catch {
      // keep polling: the server may be restarting
    }
    if (!closed) timer = setTimeout(poll, POLL_MS)
  }
  const close = () => {
    closed = true
    source?.close()
    clearTimeout(timer)
  }

  if ('EventSource' in window) {
    source = new EventSource(urlOf(record, 'events'))
    const onEvent = (event) => {
      try {
        apply(JSON.parse(event.data))
      } catch {
        // a comment or a malformed frame: ignore
      }
    }
    for (const type of [
      'message',
      'status',
      'snapshot',
      'created',
      'processing',
      'progress',
      'completed',
      'failed',
      'canceled',
      'retrying',
    ]) {
      source.addEventListener(type, onEvent)
    }
    source.onerror = () => {
      // The stream ended or broke: switch to polling (the record may also be final already).
      source.close()
      source = null
      if (!closed) timer = setTimeout(poll, 0)
    }
  } else {
    timer = setTimeout(poll, 0)
  }
  return { close }
}

async function action(record, verb) {
  try {
    if (verb === 'delete') {
      if (!confirm(`Delete “${record.name}” and its file?`)) return
      await api(videosPath(record.id), { method: 'DELETE' })
      state.watchers.get(record.id)?.close()
      state.watchers.delete(record.id)
      state.videos.delete(record.id)
    } else {
      upsert(await api(`${videosPath(record.id)}/${verb}`, { method: 'POST' }))
    }
    renderVideos()
  } catch (e) {
    toast(e.message, 'bad')
  }
}

function openPlayer(record) {
  const dialog = $('#player')
  const video = $('#player-video')
  $('#player-title').textContent = record.name
  video.src = urlOf(record, 'video')
  dialog.showModal()
  video.focus()
  dialog.addEventListener(
    'close',
    () => {
      video.pause()
      video.removeAttribute('src')
      video.load()
    },
    { once: true },
  )
}

function renderVideos() {
  const records = [...state.videos.values()].sort((a, b) =>
    String(b.createdAt).localeCompare(String(a.createdAt)),
  )
  $('#videos-empty').hidden = records.length > 0
  $('#videos').replaceChildren(
    ...records.map((record) => {
      const running = record.status === 'processing' || record.status === 'created'
      const percent = Math.round((record.progress ?? 0) * 100)
      return el(
        'li',
        { class: 'video', 'data-id': record.id, 'data-status': record.status },
        el(
          'div',
          { class: 'video-head' },
          el('span', { class: 'video-name' }, record.name),
          el(
            'span',
            { class: 'status', 'data-status': record.status },
            record.status === 'processing' ? el('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
            LABELS[record.status] ?? record.status,
            record.status === 'processing' ? ` ${percent}%` : '',
          ),
        ),
        running
          ? el('progress', { max: '100', value: String(percent), 'aria-label': `Progress of ${record.name}` })
          : null,
        el(
          'div',
          { class: 'meta' },
          el(
            'span',
            { 'data-role': 'updated', 'data-id': record.id },
            ago(state.seenAt.get(record.id) ?? Date.now()),
          ),
          el('span', {}, `${record.shots?.length ?? 0} clips`),
          record.output
            ? el('span', {}, `${seconds(record.output.durationSec)} · ${record.output.strategy}`)
            : null,
          record.output ? el('span', {}, `${(record.output.size / 1e6).toFixed(1)} MB`) : null,
        ),
        record.status === 'failed' && record.error
          ? el('p', { class: 'error' }, `${record.error.code}: ${record.error.message}`)
          : null,
        el(
          'div',
          { class: 'actions' },
          record.status === 'completed'
            ? [
                el('button', { type: 'button', onclick: () => openPlayer(record) }, 'Watch'),
                el('a', { class: 'button', href: urlOf(record, 'download'), download: '' }, 'Download'),
              ]
            : null,
          record.status === 'failed' || record.status === 'canceled'
            ? el(
                'button',
                { type: 'button', class: 'secondary', onclick: () => action(record, 'retry') },
                'Retry',
              )
            : null,
          running
            ? el(
                'button',
                { type: 'button', class: 'secondary', onclick: () => action(record, 'cancel') },
                'Cancel',
              )
            : null,
          el(
            'button',
            { type: 'button', class: 'danger', onclick: () => action(record, 'delete') },
            'Delete',
          ),
        ),
      )
    }),
  )
}

// "updated N s ago" keeps ticking without a re-render.
setInterval(() => {
  for (const node of document.querySelectorAll('[data-role="updated"]')) {
    node.textContent = ago(state.seenAt.get(node.dataset.id) ?? Date.now())
  }
}, 1000)

$('#project').addEventListener('change', (event) => selectProject(event.target.value))
$('#create').addEventListener('submit', createMasterVideo)
loadConfig().catch((e) => toast(`Could not load the settings: ${e.message}`, 'bad'))
loadProjects().catch((e) => toast(`Could not load projects: ${e.message}`, 'bad'))
