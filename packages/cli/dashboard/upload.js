// Uploads for the dashboard: drop files or pick them, watch a progress bar per
// file, and a dropped connection or a reload resumes where the server's copy
// ends. It speaks tus (tus-js-client, served at /vendor/tus.min.js) to the
// standalone server's /api/uploads; each file is probed there on arrival and
// lands in data/assets/<project>/.
//
// Use: window.mastervideoUpload.mount(element, { getProjectId, onUploaded, onProjectCreated, t })
// An element with [data-upload-zone] is mounted with the defaults on load
// (the project is #project's value; an upload or a new project fires 'change'
// on #project, which reloads the clips), unless the page mounts it first.

const SETTINGS_URL = '/api/uploads'
const PROJECTS_URL = '/api/projects'
const TUS_SCRIPT = '/vendor/tus.min.js'
const CHUNK_BYTES = 16 * 1024 * 1024
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000]

/**
 * Every string the uploader shows, English and Russian. Keys are stable: a
 * page with its own catalog passes `t(key, vars)` to mount() and this table is
 * only the fallback. `{name}`-style placeholders are filled from `vars`.
 */
export const UPLOAD_STRINGS = {
  en: {
    title: 'Add your clips',
    drop: 'Drop video files here',
    or: 'or',
    choose: 'choose files',
    limits: '{extensions} up to {limit} each. They go into the project chosen above.',
    newProject: 'New project',
    newProjectPlaceholder: 'e.g. Отпуск 2026',
    create: 'Create',
    projectCreated: 'Project “{name}” is ready',
    noProject: 'Create or choose a project first',
    waiting: 'waiting',
    uploading: '{percent}% of {size}',
    probing: 'checking the video…',
    done: 'added as “{asset}”',
    failed: 'refused: {reason}',
    offline: 'the connection to the server was lost; press Retry to continue where it stopped',
    tooBig: 'it is larger than the limit of {limit}',
    wrongType: 'only {extensions} files can be uploaded',
    retry: 'Retry',
    cancel: 'Cancel',
    canceled: 'canceled',
  },
  ru: {
    title: 'Добавьте свои клипы',
    drop: 'Перетащите видеофайлы сюда',
    or: 'или',
    choose: 'выберите файлы',
    limits: '{extensions}, до {limit} каждый. Файлы попадут в проект, выбранный выше.',
    newProject: 'Новый проект',
    newProjectPlaceholder: 'например, Отпуск 2026',
    create: 'Создать',
    projectCreated: 'Проект «{name}» готов',
    noProject: 'Сначала создайте или выберите проект',
    waiting: 'в очереди',
    uploading: '{percent}% из {size}',
    probing: 'проверяем видео…',
    done: 'добавлен как «{asset}»',
    failed: 'не принят: {reason}',
    offline: 'связь с сервером прервалась; нажмите «Повторить», загрузка продолжится с того же места',
    tooBig: 'файл больше допустимых {limit}',
    wrongType: 'можно загружать только файлы {extensions}',
    retry: 'Повторить',
    cancel: 'Отменить',
    canceled: 'отменено',
  },
}

const fill = (text, vars = {}) => text.replace(/\{(\w+)\}/g, (_, key) => String(vars[key] ?? `{${key}}`))

// The dashboard's catalog (i18n.js) when it is there: these strings join it as
// `upload.<key>` and follow its language switch. Without it, the table above.
const i18n = await import('./i18n.js').catch(() => null)
if (i18n?.addStrings) {
  i18n.addStrings(
    Object.fromEntries(
      Object.entries(UPLOAD_STRINGS).map(([lang, table]) => [
        lang,
        Object.fromEntries(Object.entries(table).map(([key, text]) => [`upload.${key}`, text])),
      ]),
    ),
  )
}

function builtInT(key, vars) {
  if (i18n?.t) return i18n.t(`upload.${key}`, vars)
  const lang = (document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase()
  const table = UPLOAD_STRINGS[lang] ?? UPLOAD_STRINGS.en
  return fill(table[key] ?? UPLOAD_STRINGS.en[key] ?? key, vars)
}

/** `2 GiB`, `12.5 MiB`. */
export function formatBytes(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child)
  return node
}

let tusLoading = null
/** tus-js-client's browser build, loaded once (it sets window.tus). */
function loadTus() {
  tusLoading ??= new Promise((resolve, reject) => {
    if (window.tus) return resolve(window.tus)
    const script = el('script', { src: TUS_SCRIPT })
    script.onload = () => resolve(window.tus)
    script.onerror = () => reject(new Error(`${TUS_SCRIPT} did not load`))
    document.head.append(script)
  })
  return tusLoading
}

function ensureStylesheet() {
  if (document.querySelector('link[data-upload-css]')) return
  document.head.append(el('link', { rel: 'stylesheet', href: '/upload.css', 'data-upload-css': true }))
}

/** The words the server sent with a refusal, else a plain-language reason. */
function reasonOf(error, t) {
  const body = error?.originalResponse?.getBody?.()
  if (typeof body === 'string' && body.trim()) return body.trim()
  return t('offline')
}

const defaults = {
  getProjectId: () => document.querySelector('#project')?.value || null,
  onUploaded: () => document.querySelector('#project')?.dispatchEvent(new Event('change')),
  onProjectCreated: (project) => {
    const select = document.querySelector('#project')
    if (!select) return
    if (![...select.options].some((o) => o.value === project.id)) {
      select.append(el('option', { value: project.id }, project.name))
    }
    select.value = project.id
    select.dispatchEvent(new Event('change'))
  },
}

const mounted = new WeakMap()

/**
 * Draws the uploader into `element` and returns its controller; mounting the
 * same element again returns the first controller.
 *
 * options.getProjectId(): the project uploads go into (default: #project's value).
 * options.onUploaded({ projectId, assetId, name }): after the server accepted a clip.
 * options.onProjectCreated({ id, name, created }): after "New project".
 * options.t(key, vars): the page's catalog; keys are those of UPLOAD_STRINGS.en.
 */
export function mount(element, options = {}) {
  const existing = mounted.get(element)
  if (existing) return existing
  ensureStylesheet()
  const opts = { ...defaults, ...options }
  const t = (key, vars) => {
    const text = options.t?.(key, vars)
    return typeof text === 'string' && text !== key ? text : builtInT(key, vars)
  }
  let settings = {
    endpoint: SETTINGS_URL,
    maxBytes: 2 * 1024 ** 3,
    extensions: ['.mp4', '.mov', '.m4v', '.mkv', '.webm'],
  }
  const settingsReady = fetch(SETTINGS_URL, { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : settings))
    .then((s) => {
      settings = s
      limits.textContent = limitsText()
      picker.accept = ['video/*', ...settings.extensions].join(',')
    })
    .catch(() => undefined)

  const extensionsText = () => settings.extensions.map((e) => e.slice(1).toUpperCase()).join(', ')
  const limitsText = () =>
    t('limits', { extensions: extensionsText(), limit: formatBytes(settings.maxBytes) })

  const picker = el('input', { type: 'file', multiple: true, hidden: true, 'data-upload-input': true })
  const list = el('ul', { class: 'upload-list', 'aria-live': 'polite' })
  const limits = el('p', { class: 'hint upload-limits' }, limitsText())
  const chooseButton = el('button', { type: 'button', class: 'upload-choose' }, t('choose'))
  const drop = el('div', { class: 'upload-drop' }, el('span', {}, t('drop')), ` ${t('or')} `, chooseButton)
  const projectName = el('input', {
    name: 'project',
    maxlength: 200,
    required: true,
    autocomplete: 'off',
    placeholder: t('newProjectPlaceholder'),
    'aria-label': t('newProject'),
  })
  const projectError = el('p', { class: 'error', role: 'alert', hidden: true })
  const projectForm = el(
    'form',
    { class: 'upload-project' },
    el('label', {}, el('span', {}, t('newProject')), ' ', projectName),
    el('button', { type: 'submit' }, t('create')),
  )
  const box = el(
    'div',
    { class: 'upload' },
    el('h3', { class: 'upload-title' }, t('title')),
    drop,
    picker,
    limits,
    list,
    projectForm,
    projectError,
  )
  element.replaceChildren(box)

  // Static labels follow a language switch; a file's status is redrawn at its next change.
  const labels = [
    [box.querySelector('.upload-title'), 'title'],
    [drop.firstChild, 'drop'],
    [chooseButton, 'choose'],
    [projectForm.querySelector('label').firstChild, 'newProject'],
    [projectForm.querySelector('button'), 'create'],
  ]
  function relabel() {
    for (const [node, key] of labels) node.textContent = t(key)
    drop.childNodes[1].textContent = ` ${t('or')} `
    projectName.placeholder = t('newProjectPlaceholder')
    projectName.setAttribute('aria-label', t('newProject'))
    limits.textContent = limitsText()
  }
  const unsubscribe = i18n?.onLanguageChange?.(relabel)

  chooseButton.addEventListener('click', () => picker.click())
  picker.addEventListener('change', () => {
    addFiles([...picker.files])
    picker.value = ''
  })
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (event) => {
      event.preventDefault()
      drop.classList.add('over')
    })
  }
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'))
  drop.addEventListener('drop', (event) => {
    event.preventDefault()
    addFiles([...(event.dataTransfer?.files ?? [])])
  })

  projectForm.addEventListener('submit', async (event) => {
    event.preventDefault()
    projectError.hidden = true
    try {
      const response = await fetch(PROJECTS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name: projectName.value }),
      })
      const body = await response.json().catch(() => null)
      if (!response.ok) throw new Error(body?.error ?? `${response.status} ${response.statusText}`)
      projectName.value = ''
      opts.onProjectCreated(body)
      element.dispatchEvent(new CustomEvent('mastervideo:project-created', { detail: body, bubbles: true }))
    } catch (error) {
      projectError.textContent = error instanceof TypeError ? t('offline') : error.message
      projectError.hidden = false
    }
  })

  function row(file) {
    const bar = el('progress', { max: 100, value: 0, 'aria-label': file.name })
    const status = el('span', { class: 'upload-status' }, t('waiting'))
    const actions = el('span', { class: 'upload-actions' })
    const item = el(
      'li',
      { class: 'upload-item', 'data-state': 'waiting' },
      el('span', { class: 'upload-name' }, file.name),
      bar,
      status,
      actions,
    )
    list.append(item)
    const set = (state, text, value) => {
      item.dataset.state = state
      status.textContent = text
      if (value !== undefined) bar.value = value
    }
    return { item, bar, set, actions }
  }

  async function addFiles(files) {
    await settingsReady
    for (const file of files) void send(file)
  }

  async function send(file) {
    const view = row(file)
    const projectId = opts.getProjectId()
    const ext = file.name.includes('.') ? `.${file.name.split('.').pop().toLowerCase()}` : ''
    if (!projectId) return view.set('failed', t('failed', { reason: t('noProject') }))
    if (!settings.extensions.includes(ext)) {
      return view.set('failed', t('failed', { reason: t('wrongType', { extensions: extensionsText() }) }))
    }
    if (file.size > settings.maxBytes) {
      return view.set(
        'failed',
        t('failed', { reason: t('tooBig', { limit: formatBytes(settings.maxBytes) }) }),
      )
    }
    const tus = await loadTus()
    const upload = new tus.Upload(file, {
      endpoint: settings.endpoint,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      metadata: { projectId, filename: file.name, filetype: file.type },
      // The project is part of the identity: the same file sent to two projects is two uploads.
      fingerprint: async (f) => ['mastervideo', projectId, f.name, f.size, f.lastModified].join('/'),
      onProgress: (sent, total) => {
        const percent = total ? Math.floor((sent / total) * 100) : 0
        view.set('uploading', t('uploading', { percent, size: formatBytes(total) }), percent)
        if (sent === total) view.set('probing', t('probing'), 100)
      },
      onError: (error) => {
        const refused = error?.originalResponse?.getStatus?.() >= 400
        view.set('failed', refused ? t('failed', { reason: reasonOf(error, t) }) : t('offline'))
        view.actions.replaceChildren(
          refused ? '' : el('button', { type: 'button', onclick: () => start() }, t('retry')),
        )
      },
      onSuccess: ({ lastResponse }) => {
        const assetId = decodeURIComponent(lastResponse?.getHeader?.('mastervideo-asset') ?? file.name)
        view.set('done', t('done', { asset: assetId }), 100)
        view.actions.replaceChildren()
        const detail = { projectId, assetId, name: file.name }
        opts.onUploaded(detail)
        element.dispatchEvent(new CustomEvent('mastervideo:uploaded', { detail, bubbles: true }))
      },
    })
    const cancel = el(
      'button',
      {
        type: 'button',
        onclick: () => {
          void upload.abort(true)
          view.set('canceled', t('canceled'))
          view.actions.replaceChildren()
        },
      },
      t('cancel'),
    )
    async function start() {
      view.actions.replaceChildren(cancel)
      // A reload or a crash left part of this file on the server: continue from there.
      const previous = await upload.findPreviousUploads()
      if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0])
      upload.start()
    }
    await start()
  }

  const controller = { element, addFiles, relabel, settings: () => settings, unmount: () => unsubscribe?.() }
  mounted.set(element, controller)
  return controller
}

window.mastervideoUpload = { mount, strings: UPLOAD_STRINGS, formatBytes }

function autoMount() {
  for (const element of document.querySelectorAll('[data-upload-zone]')) {
    if (element.dataset.uploadZone !== 'manual') mount(element)
  }
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount)
else autoMount()
