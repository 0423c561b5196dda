// The dashboard's player: a master video's HLS ladder where it has one, with a
// quality menu (Auto plus each rendition), else its MP4 files. hls.js over
// Media Source Extensions, loaded from /vendor/hls.min.js only when a ladder
// is played; the browser's own HLS where there is no MSE (older iPhones);
// else the master MP4 (and the renditions' MP4s in the menu). The create
// form's "Smaller versions" boxes are read here too (ladderChoice).

import { addStrings, onLanguageChange, t } from './i18n.js'

addStrings({
  en: {
    'player.quality': 'Quality',
    'player.auto': 'Auto',
    'player.autoWith': 'Auto ({name})',
    'player.original': 'Original',
    'ladder.legend': 'Smaller versions',
    'ladder.hint':
      'Made from the master after it is joined. HLS lets the player pick a size as the network allows.',
    'ladder.hls': 'HLS (adaptive streaming)',
  },
  ru: {
    'player.quality': 'Качество',
    'player.auto': 'Авто',
    'player.autoWith': 'Авто ({name})',
    'player.original': 'Оригинал',
    'ladder.legend': 'Уменьшенные версии',
    'ladder.hint':
      'Делаются из мастер-видео после склейки. HLS позволяет плееру выбирать размер по скорости сети.',
    'ladder.hls': 'HLS (адаптивный поток)',
  },
})

const HLS_TYPE = 'application/vnd.apple.mpegurl'
const HLS_SCRIPT = 'vendor/hls.min.js'

let hlsLoading = null
/** hls.js's browser build, loaded once (it sets window.Hls); `null` when it cannot load. */
function loadHlsJs() {
  hlsLoading ??= new Promise((resolve) => {
    if (window.Hls) return resolve(window.Hls)
    const script = document.createElement('script')
    script.src = new URL(HLS_SCRIPT, document.baseURI).href
    script.onload = () => resolve(window.Hls ?? null)
    script.onerror = () => {
      hlsLoading = null
      resolve(null)
    }
    document.head.append(script)
  })
  return hlsLoading
}

/**
 * How this browser plays HLS: `hls.js` where Media Source Extensions work,
 * `native` where only the browser's own HLS does (iPhone Safari before
 * Managed Media Source), else `null`. hls.js comes first because desktop
 * Chromium now also answers `canPlayType` with "maybe" for HLS, and only
 * hls.js lets the quality menu pick a level without reloading the source.
 */
async function hlsEngine(video) {
  if ('MediaSource' in window || 'ManagedMediaSource' in window) {
    const Hls = await loadHlsJs()
    if (Hls?.isSupported()) return 'hls.js'
  }
  return video.canPlayType(HLS_TYPE) ? 'native' : null
}

/** Sets a new source and carries on from the same moment, playing if it was. */
function switchSource(video, src) {
  const at = video.currentTime
  const playing = !video.paused
  video.src = src
  video.addEventListener(
    'loadedmetadata',
    () => {
      if (at > 0) video.currentTime = Math.min(at, video.duration || at)
      if (playing) video.play().catch(() => {})
    },
    { once: true },
  )
}

/**
 * The quality menu in `container`: a button naming the current choice and a
 * list of `{ id, label }` choices; `pick(id)` runs when one is chosen.
 */
function qualityMenu(container, pick) {
  let choices = []
  let chosen = 'auto'
  let playing = null // the rendition Auto is playing now, when known
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'quality-button secondary'
  button.setAttribute('aria-haspopup', 'menu')
  button.setAttribute('aria-expanded', 'false')
  const list = document.createElement('ul')
  list.className = 'quality-list'
  list.setAttribute('role', 'menu')
  list.hidden = true
  container.replaceChildren(button, list)

  const labelOf = (id) => {
    if (id === 'auto') return playing ? t('player.autoWith', { name: playing }) : t('player.auto')
    return choices.find((choice) => choice.id === id)?.label ?? id
  }
  const toggle = (open = list.hidden) => {
    list.hidden = !open
    button.setAttribute('aria-expanded', String(open))
    if (open) list.querySelector('[aria-checked="true"]')?.focus()
  }
  const draw = () => {
    container.hidden = choices.length < 2
    button.textContent = `${t('player.quality')}: ${labelOf(chosen)}`
    list.replaceChildren(
      ...choices.map((choice) => {
        const item = document.createElement('li')
        const option = document.createElement('button')
        option.type = 'button'
        option.setAttribute('role', 'menuitemradio')
        option.setAttribute('aria-checked', String(choice.id === chosen))
        option.dataset.quality = choice.id
        // The tick is decoration: aria-checked says it, and the item's name stays the label.
        const tick = document.createElement('span')
        tick.className = 'tick'
        tick.setAttribute('aria-hidden', 'true')
        tick.textContent = choice.id === chosen ? '✓' : ''
        const label = document.createElement('span')
        label.className = 'label'
        label.textContent = labelOf(choice.id)
        option.append(tick, label)
        option.addEventListener('click', () => {
          chosen = choice.id
          toggle(false)
          draw()
          button.focus()
          pick(choice.id)
        })
        item.append(option)
        return item
      }),
    )
    container.dataset.chosen = chosen
    container.dataset.playing = playing ?? ''
  }
  button.addEventListener('click', () => toggle())
  list.addEventListener('keydown', (event) => {
    const items = [...list.querySelectorAll('button')]
    const at = items.indexOf(document.activeElement)
    if (event.key === 'Escape') {
      // Close the menu, not the dialog around it.
      event.preventDefault()
      event.stopPropagation()
      toggle(false)
      button.focus()
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      items[(at + step + items.length) % items.length]?.focus()
    }
  })
  const unsubscribe = onLanguageChange(draw)
  draw()
  return {
    /** Replaces the choices (the first is the default). */
    set(next, initial = next[0]?.id ?? 'auto') {
      choices = next
      chosen = initial
      draw()
    },
    /** Names the rendition playing now (shown beside Auto). */
    playing(name) {
      playing = name
      draw()
    },
    destroy() {
      unsubscribe()
      container.replaceChildren()
      container.hidden = true
    },
  }
}

/** The rendition name of each variant playlist key of the record's ladder. */
const variantNames = (record) => new Map((record.hls?.variants ?? []).map((v) => [v.playlistKey, v.name]))

/** Tallest first, as quality menus list them. */
const byHeight = (a, b) => (b.height ?? 0) - (a.height ?? 0)

function playHlsJs(Hls, video, record, menu, onFatal) {
  const hls = new Hls({ capLevelToPlayerSize: false })
  const names = variantNames(record)
  const nameOf = (level) => {
    const uri = String(level.uri ?? level.url?.[0] ?? level.url ?? '')
    const key = uri.split('?')[0].split('/').pop()
    return names.get(key) ?? `${level.height}p`
  }
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    const levels = hls.levels.map((level, index) => ({
      id: String(index),
      label: nameOf(level),
      height: level.height,
    }))
    menu.set([{ id: 'auto', label: t('player.auto') }, ...levels.sort(byHeight)])
  })
  hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
    const level = hls.levels[data.level]
    if (level) menu.playing(nameOf(level))
  })
  let recovered = false
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return
    // A decoding hiccup is worth one recovery; anything else falls back to the MP4.
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
      recovered = true
      hls.recoverMediaError()
      return
    }
    hls.destroy()
    onFatal()
  })
  hls.loadSource(record.urls.hls)
  hls.attachMedia(video)
  video.dataset.engine = 'hls.js'
  return {
    pick: (id) => {
      // currentLevel switches now (flushing what is buffered); -1 is Auto again.
      hls.currentLevel = id === 'auto' ? -1 : Number(id)
    },
    destroy: () => hls.destroy(),
  }
}

function playNative(video, record, menu) {
  const master = new URL(record.urls.hls, location.href)
  const variants = [...(record.hls?.variants ?? [])].sort(byHeight)
  const sources = new Map([
    ['auto', master.href],
    // A variant playlist sits next to the master: a signed prefix covers it too.
    ...variants.map((v) => [v.name, new URL(v.playlistKey, master).href]),
  ])
  menu.set([{ id: 'auto', label: t('player.auto') }, ...variants.map((v) => ({ id: v.name, label: v.name }))])
  video.src = master.href
  video.dataset.engine = 'native'
  return { pick: (id) => switchSource(video, sources.get(id)), destroy: () => {} }
}

function playMp4(video, record, menu, fallbackUrl) {
  const renditions = [...(record.renditions ?? [])]
    .filter((r) => record.urls?.renditions?.[r.name])
    .sort(byHeight)
  const sources = new Map([
    ['original', fallbackUrl],
    ...renditions.map((r) => [r.name, record.urls.renditions[r.name].video]),
  ])
  menu.set([
    { id: 'original', label: t('player.original') },
    ...renditions.map((r) => ({ id: r.name, label: r.name })),
  ])
  video.src = fallbackUrl
  video.dataset.engine = 'mp4'
  return { pick: (id) => switchSource(video, sources.get(id)), destroy: () => {} }
}

/**
 * Plays `record` in `video`, with its quality menu drawn into `menuContainer`:
 * HLS (native, else hls.js) when the record has a ladder and the browser can
 * play it, else the MP4 at `fallbackUrl` (the master) and its renditions.
 * Returns `{ destroy() }`, which stops playback and frees the media element.
 */
export function attachPlayer(video, record, { menuContainer, fallbackUrl }) {
  let current = null
  const menu = qualityMenu(menuContainer, (id) => current?.pick(id))
  let destroyed = false
  const mp4 = () => {
    if (!destroyed) current = playMp4(video, record, menu, fallbackUrl)
  }
  if (record.urls?.hls) {
    hlsEngine(video).then((engine) => {
      if (destroyed) return
      if (engine === 'native') current = playNative(video, record, menu)
      else if (engine === 'hls.js') current = playHlsJs(window.Hls, video, record, menu, mp4)
      else mp4()
    })
  } else {
    mp4()
  }
  return {
    destroy() {
      destroyed = true
      current?.destroy()
      menu.destroy()
      video.pause()
      video.removeAttribute('src')
      delete video.dataset.engine
      video.load()
    },
  }
}

/** The rendition heights the create form offers. */
export const LADDER_HEIGHTS = [720, 480, 360, 240]

/**
 * The `renditions` and `hls` the create form asks for (`{}` when no box is
 * ticked), as `POST …/master-videos` takes them.
 */
export function ladderChoice(form = document) {
  const heights = [...form.querySelectorAll('input[name="rendition"]:checked')].map((box) =>
    Number(box.value),
  )
  if (heights.length === 0) return {}
  const hls = form.querySelector('#hls')?.checked === true
  return {
    renditions: heights.map((height) => ({ name: `${height}p`, height })),
    ...(hls ? { hls: true } : {}),
  }
}

/** Draws the rendition boxes into `fieldset` (#ladder) and keeps HLS usable only with a rendition ticked. */
export function mountLadderChoice(fieldset) {
  if (!fieldset) return
  const boxes = fieldset.querySelector('.ladder-boxes')
  boxes.replaceChildren(
    ...LADDER_HEIGHTS.map((height) => {
      const label = document.createElement('label')
      const box = document.createElement('input')
      box.type = 'checkbox'
      box.name = 'rendition'
      box.value = String(height)
      label.append(box, ` ${height}p`)
      return label
    }),
  )
  const hls = fieldset.querySelector('#hls')
  // An HLS ladder streams the renditions: without one there is nothing to stream.
  const sync = () => {
    const any = fieldset.querySelector('input[name="rendition"]:checked') !== null
    hls.disabled = !any
    if (!any) hls.checked = false
  }
  fieldset.addEventListener('change', sync)
  sync()
}

/** Unticks every box of the create form's ladder choice. */
export function resetLadderChoice(fieldset) {
  for (const box of fieldset?.querySelectorAll('input[type="checkbox"]') ?? []) box.checked = false
  fieldset?.dispatchEvent(new Event('change'))
}

/** A card's line about the smaller versions a job made: `360p · 240p · HLS`, or `null` when there are none. */
export function ladderSummary(record) {
  const names = (record.renditions ?? []).map((rendition) => rendition.name)
  if (names.length === 0) return null
  return [...names, ...(record.hls ? ['HLS'] : [])].join(' · ')
}
