// Every string the dashboard shows, in English and Russian, and the few
// functions that pick one. The page starts in the browser's language (or the
// one chosen last time) and has a switch. A count picks its form through
// Intl.PluralRules: English has one/other, Russian one/few/many.
// Another dashboard module adds its strings with addStrings() and follows a
// switch with onLanguageChange().

/** @typedef {'en' | 'ru'} Language */

/** The languages offered, in the switch's order, each named in itself. */
export const LANGUAGES = /** @type {const} */ ([
  ['en', 'English'],
  ['ru', 'Русский'],
])

const STORAGE_KEY = 'mastervideo.language'

// A value is a string with {placeholders}, or, for a count, one string per plural category.
const CATALOG = {
  en: {
    'page.title': 'mastervideo dashboard',
    'language.label': 'Language',
    'project.label': 'Project',
    'project.option': '{name} ({clips})',
    'project.unusable': '{name}: cannot be used',
    'project.none': 'No projects yet',
    'clips.title': 'Clips',
    'clips.hint':
      'Tick the clips to join, in order. The number on a ticked clip is its place in the master video.',
    'clips.empty':
      'This project has no clips yet. Put video files into its folder under data/assets/, then reload.',
    'clips.count': { one: '{n} clip', other: '{n} clips' },
    'clip.use': 'Use clip {name}',
    'clip.noAudio': 'no audio',
    'clip.seconds': '{value} s',
    'refused.summary': { one: '{n} file is not offered', other: '{n} files are not offered' },
    'refused.unsafe-name': 'its name cannot be used as a file name here; rename it',
    'refused.unreadable': 'it cannot be read as a video',
    'refused.project': 'The folder “{name}” cannot be a project: {reason}',
    'create.nameLabel': 'Name of the master video',
    'create.namePlaceholder': 'e.g. 004',
    'create.strategyLabel': 'How to join',
    'create.button': 'Create master video',
    'create.selected': { one: '{n} clip ticked', other: '{n} clips ticked' },
    'create.needClip': 'Tick at least one clip.',
    'create.needName': 'Give the master video a name.',
    'create.done': '“{name}” created',
    'strategy.auto': 'auto: copy when the clips match',
    'strategy.copy': 'copy only (no re-encoding)',
    'strategy.reencode': 're-encode',
    'videos.title': 'Master videos',
    'videos.empty': 'No master videos in this project yet.',
    'videos.more': 'Show more',
    'videos.shown': { one: '{n} shown', other: '{n} shown' },
    'live.stream': 'Live',
    'live.polling': 'Updating every few seconds',
    'status.created': 'queued',
    'status.processing': 'processing',
    'status.completed': 'ready',
    'status.failed': 'failed',
    'status.canceled': 'canceled',
    'video.createdAt': 'created {time}',
    'video.progress': 'Progress of {name}',
    'video.duration': '{value} s',
    'video.size': '{value} MB',
    'video.strategy.copy': 'copied',
    'video.strategy.copy-video': 'video copied, audio normalized',
    'video.strategy.reencode': 're-encoded',
    'video.thumbnail': 'First frame of {name}',
    'action.watch': 'Watch',
    'action.download': 'Download',
    'action.retry': 'Retry',
    'action.retryWith': 'Retry with',
    'action.cancel': 'Cancel',
    'action.delete': 'Delete',
    'action.confirmDelete': 'Delete “{name}” and its file?',
    'toast.ready': '“{name}” is ready',
    'toast.failed': '“{name}” failed: {reason}',
    'toast.retried': '“{name}” is queued again',
    'toast.deleted': '“{name}” deleted',
    'player.title': 'Player',
    'player.close': 'Close player',
    'player.error': 'This video cannot be played here ({reason}). Try Download instead.',
    'player.reason.network': 'the connection broke',
    'player.reason.decode': 'the browser cannot decode it',
    'player.reason.source': 'the server did not send a playable file',
    'player.reason.unknown': 'unknown error',
    'error.network': 'The server cannot be reached. Check that it is running, then try again.',
    'error.status': 'The server answered with an error ({status}). Try again in a moment.',
    'error.settings': 'Could not load the settings: {reason}',
    'error.projects': 'Could not load the projects: {reason}',
    'error.clips': 'Could not load the clips: {reason}',
    'error.videos': 'Could not load the master videos: {reason}',
    'code.ASSET_NOT_FOUND': 'A clip is missing',
    'code.INPUT_INVALID': 'The clips cannot be joined this way',
    'code.TRANSCODE_FAILED': 'ffmpeg failed',
    'code.TIMEOUT': 'It took too long',
    'code.NO_SPACE': 'The disk is full',
    'code.CANCELED': 'Canceled',
    'code.LEASE_EXPIRED': 'The worker stopped',
    'code.VALIDATION': 'The request was refused',
    'code.other': 'Error',
    'stats.title': 'Statistics',
    'stats.period': 'Period',
    'stats.period.all': 'All time',
    'stats.period.day': 'Last 24 hours',
    'stats.period.week': 'Last 7 days',
    'stats.period.month': 'Last 30 days',
    'stats.refresh': 'Refresh',
    'stats.loading': 'Loading…',
    'stats.total': 'Jobs',
    'stats.queueWait': 'Wait in the queue',
    'stats.processing': 'Processing time',
    'stats.p50p95': 'median {p50} · 95% within {p95}',
    'stats.noneMeasured': 'no finished jobs yet',
    'stats.media': 'Video made',
    'stats.mediaValue': '{master} of masters, {renditions} of renditions',
    'stats.deliveries': 'Webhook deliveries',
    'stats.deliveriesValue': '{pending} waiting, {delivered} delivered, {dead} given up',
    'stats.noOutbox': 'not kept by this storage',
    'stats.chart': 'Jobs by status',
    'stats.failures': 'Failures by cause',
    'stats.noFailures': 'No failed jobs.',
    'stats.ms': '{value} ms',
    'stats.sec': '{value} s',
    'stats.min': '{value} min',
    'stats.hours': '{value} h',
    'stats.error': 'Could not load the statistics: {reason}',
    'stats.unsupported': 'The storage of this server cannot compute statistics.',
    'time.justNow': 'just now',
  },
  ru: {
    'page.title': 'mastervideo: панель',
    'language.label': 'Язык',
    'project.label': 'Проект',
    'project.option': '{name} ({clips})',
    'project.unusable': '{name}: нельзя использовать',
    'project.none': 'Проектов пока нет',
    'clips.title': 'Клипы',
    'clips.hint': 'Отметьте клипы по порядку. Число на отмеченном клипе — его место в мастер-видео.',
    'clips.empty':
      'В проекте пока нет клипов. Положите видеофайлы в его папку в data/assets/ и обновите страницу.',
    'clips.count': { one: '{n} клип', few: '{n} клипа', many: '{n} клипов', other: '{n} клипа' },
    'clip.use': 'Использовать клип {name}',
    'clip.noAudio': 'без звука',
    'clip.seconds': '{value} с',
    'refused.summary': {
      one: '{n} файл не предлагается',
      few: '{n} файла не предлагаются',
      many: '{n} файлов не предлагаются',
      other: '{n} файла не предлагаются',
    },
    'refused.unsafe-name': 'такое имя нельзя использовать как имя файла; переименуйте его',
    'refused.unreadable': 'его не удаётся прочитать как видео',
    'refused.project': 'Папка «{name}» не может быть проектом: {reason}',
    'create.nameLabel': 'Название мастер-видео',
    'create.namePlaceholder': 'например, 004',
    'create.strategyLabel': 'Способ склейки',
    'create.button': 'Создать мастер-видео',
    'create.selected': {
      one: 'Отмечен {n} клип',
      few: 'Отмечено {n} клипа',
      many: 'Отмечено {n} клипов',
      other: 'Отмечено {n} клипа',
    },
    'create.needClip': 'Отметьте хотя бы один клип.',
    'create.needName': 'Дайте мастер-видео название.',
    'create.done': '«{name}» создано',
    'strategy.auto': 'авто: копировать, если клипы совпадают',
    'strategy.copy': 'только копировать (без перекодирования)',
    'strategy.reencode': 'перекодировать',
    'videos.title': 'Мастер-видео',
    'videos.empty': 'В этом проекте пока нет мастер-видео.',
    'videos.more': 'Показать ещё',
    'videos.shown': { one: 'Показано {n}', few: 'Показано {n}', many: 'Показано {n}', other: 'Показано {n}' },
    'live.stream': 'В реальном времени',
    'live.polling': 'Обновляется раз в несколько секунд',
    'status.created': 'в очереди',
    'status.processing': 'обработка',
    'status.completed': 'готово',
    'status.failed': 'ошибка',
    'status.canceled': 'отменено',
    'video.createdAt': 'создано {time}',
    'video.progress': 'Ход обработки «{name}»',
    'video.duration': '{value} с',
    'video.size': '{value} МБ',
    'video.strategy.copy': 'скопировано',
    'video.strategy.copy-video': 'видео скопировано, звук выровнен',
    'video.strategy.reencode': 'перекодировано',
    'video.thumbnail': 'Первый кадр «{name}»',
    'action.watch': 'Смотреть',
    'action.download': 'Скачать',
    'action.retry': 'Повторить',
    'action.retryWith': 'Повторить так',
    'action.cancel': 'Отменить',
    'action.delete': 'Удалить',
    'action.confirmDelete': 'Удалить «{name}» вместе с файлом?',
    'toast.ready': '«{name}» готово',
    'toast.failed': '«{name}»: ошибка — {reason}',
    'toast.retried': '«{name}» снова в очереди',
    'toast.deleted': '«{name}» удалено',
    'player.title': 'Плеер',
    'player.close': 'Закрыть плеер',
    'player.error': 'Это видео не воспроизводится здесь ({reason}). Попробуйте скачать его.',
    'player.reason.network': 'соединение прервалось',
    'player.reason.decode': 'браузер не может его декодировать',
    'player.reason.source': 'сервер не отдал воспроизводимый файл',
    'player.reason.unknown': 'неизвестная ошибка',
    'error.network': 'Сервер недоступен. Проверьте, что он запущен, и попробуйте ещё раз.',
    'error.status': 'Сервер ответил ошибкой ({status}). Попробуйте чуть позже.',
    'error.settings': 'Не удалось загрузить настройки: {reason}',
    'error.projects': 'Не удалось загрузить проекты: {reason}',
    'error.clips': 'Не удалось загрузить клипы: {reason}',
    'error.videos': 'Не удалось загрузить мастер-видео: {reason}',
    'code.ASSET_NOT_FOUND': 'Клип не найден',
    'code.INPUT_INVALID': 'Эти клипы так склеить нельзя',
    'code.TRANSCODE_FAILED': 'Ошибка ffmpeg',
    'code.TIMEOUT': 'Слишком долго',
    'code.NO_SPACE': 'Диск заполнен',
    'code.CANCELED': 'Отменено',
    'code.LEASE_EXPIRED': 'Обработчик остановился',
    'code.VALIDATION': 'Запрос отклонён',
    'code.other': 'Ошибка',
    'stats.title': 'Статистика',
    'stats.period': 'Период',
    'stats.period.all': 'За всё время',
    'stats.period.day': 'За сутки',
    'stats.period.week': 'За 7 дней',
    'stats.period.month': 'За 30 дней',
    'stats.refresh': 'Обновить',
    'stats.loading': 'Загрузка…',
    'stats.total': 'Заданий',
    'stats.queueWait': 'Ожидание в очереди',
    'stats.processing': 'Время обработки',
    'stats.p50p95': 'медиана {p50} · 95% не дольше {p95}',
    'stats.noneMeasured': 'готовых заданий пока нет',
    'stats.media': 'Сделано видео',
    'stats.mediaValue': 'мастер: {master}, версии: {renditions}',
    'stats.deliveries': 'Доставка вебхуков',
    'stats.deliveriesValue': 'ждут: {pending}, доставлено: {delivered}, не доставлено: {dead}',
    'stats.noOutbox': 'это хранилище их не ведёт',
    'stats.chart': 'Задания по статусам',
    'stats.failures': 'Ошибки по причинам',
    'stats.noFailures': 'Заданий с ошибкой нет.',
    'stats.ms': '{value} мс',
    'stats.sec': '{value} с',
    'stats.min': '{value} мин',
    'stats.hours': '{value} ч',
    'stats.error': 'Не удалось загрузить статистику: {reason}',
    'stats.unsupported': 'Хранилище этого сервера не умеет считать статистику.',
    'time.justNow': 'только что',
  },
}

/** @type {Language} */
let current = 'en'
const listeners = new Set()
const pluralRules = new Map()

/** The language the page starts in: the last choice, else the browser's first supported language, else English. */
export function initialLanguage() {
  const saved = safeStorage()?.getItem(STORAGE_KEY)
  if (saved && saved in CATALOG) return saved
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split('-')[0]
    if (base in CATALOG) return base
  }
  return 'en'
}

function safeStorage() {
  try {
    return window.localStorage
  } catch {
    return null // storage disabled: the choice lasts until the page closes
  }
}

/** The current language. */
export const language = () => current

/** Switches the language, remembers it, and tells every listener. */
export function setLanguage(lang) {
  if (!(lang in CATALOG)) return
  current = lang
  safeStorage()?.setItem(STORAGE_KEY, lang)
  document.documentElement.lang = lang
  for (const listener of listeners) listener(lang)
}

/** Calls `listener(lang)` after each switch; returns the unsubscribe function. */
export function onLanguageChange(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Adds strings of another module (`{ en: {...}, ru: {...} }`); existing keys are kept. */
export function addStrings(strings) {
  for (const [lang, entries] of Object.entries(strings)) {
    if (lang in CATALOG) CATALOG[lang] = { ...entries, ...CATALOG[lang] }
  }
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
}

/**
 * The string `key` in the current language with `{placeholders}` filled from
 * `params`; a plural entry picks its form by `params.n`. A key missing in
 * Russian falls back to English, a key missing everywhere shows itself.
 */
export function t(key, params = {}) {
  const entry = CATALOG[current][key] ?? CATALOG.en[key]
  if (entry === undefined) return key
  if (typeof entry === 'string') return fill(entry, params)
  let rules = pluralRules.get(current)
  if (!rules) {
    rules = new Intl.PluralRules(current)
    pluralRules.set(current, rules)
  }
  const form = entry[rules.select(Number(params.n ?? 0))] ?? entry.other
  return fill(form, { ...params, n: formatNumber(Number(params.n ?? 0)) })
}

/** Whether the catalog has `key` (for labels of values that come from the server). */
export const has = (key) => key in CATALOG.en

/** A number in the current language's notation (`1,5` in Russian). */
export function formatNumber(value, digits) {
  return new Intl.NumberFormat(current, {
    minimumFractionDigits: digits ?? 0,
    maximumFractionDigits: digits ?? 0,
  }).format(value)
}

/** A moment as the current language writes it: the time today, the date and time before. */
export function formatTime(date) {
  const sameDay = new Date().toDateString() === date.toDateString()
  return new Intl.DateTimeFormat(
    current,
    sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' },
  ).format(date)
}

/** How long ago, in words ("5 minutes ago", "5 минут назад"). */
export function formatAgo(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000)
  if (Math.abs(seconds) < 45) return t('time.justNow')
  const format = new Intl.RelativeTimeFormat(current, { numeric: 'auto' })
  const minutes = Math.round(seconds / 60)
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute')
  const hours = Math.round(minutes / 60)
  if (Math.abs(hours) < 24) return format.format(hours, 'hour')
  return format.format(Math.round(hours / 24), 'day')
}

/**
 * Fills the static page from the catalog: `data-i18n="key"` sets the text,
 * `data-i18n-attr="placeholder:key aria-label:key"` sets attributes.
 */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n)
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(/\s+/).filter(Boolean)) {
      const [attribute, key] = pair.split(':')
      node.setAttribute(attribute, t(key))
    }
  }
  document.title = t('page.title')
}

/** Sets the starting language without notifying anyone (nothing is drawn yet). */
export function startLanguage() {
  current = initialLanguage()
  document.documentElement.lang = current
  return current
}
