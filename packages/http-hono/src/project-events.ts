import type { MasterVideo, MasterVideos, ProgressEvent } from '@mastervideo/core'
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { EventsOptions } from './events-stream.js'

/** What a project's stream sends: a status name with the record, `progress`, or `deleted`. */
type ProjectEvent =
  | { event: MasterVideo['status']; record: MasterVideo }
  | { event: 'progress'; data: ProgressEvent }
  | { event: 'deleted'; data: { id: string; projectId: string } }

type Subscriber = (event: ProjectEvent) => void

/** What the hub last sent for one job, so that two sources (events, polls) never send it twice. */
interface Seen {
  status: MasterVideo['status']
  progress: number
  updatedAt: number
  createdAt: number
}

interface ProjectState {
  projectId: string
  subscribers: Set<Subscriber>
  seen: Map<string, Seen>
  timer: NodeJS.Timeout | undefined
}

const RECORD_EVENTS = ['created', 'processing', 'retrying', 'completed', 'failed', 'canceled'] as const
/** Jobs one poll reads; changes beyond the newest this many are left to the service's own events. */
const POLL_PAGE = 100

/**
 * One subscription to a service, shared by every project stream of it: the
 * service gets one listener per event name however many pages are open (no
 * MaxListeners warning at 50 tabs), and the repository is read once per
 * project per interval, not once per page.
 */
class ProjectEventHub {
  readonly #mv: MasterVideos
  readonly #pollMs: number
  readonly #projects = new Map<string, ProjectState>()
  #listening = false

  constructor(mv: MasterVideos, pollMs: number) {
    this.#mv = mv
    this.#pollMs = pollMs
  }

  /** Adds a subscriber to a project; the returned function removes it. */
  subscribe(projectId: string, subscriber: Subscriber): () => void {
    let state = this.#projects.get(projectId)
    if (!state) {
      state = { projectId, subscribers: new Set(), seen: new Map(), timer: undefined }
      this.#projects.set(projectId, state)
      this.#schedulePoll(state, 0)
    }
    state.subscribers.add(subscriber)
    this.#listen()
    return () => {
      state.subscribers.delete(subscriber)
      if (state.subscribers.size > 0) return
      clearTimeout(state.timer)
      this.#projects.delete(projectId)
      if (this.#projects.size === 0) this.#unlisten()
    }
  }

  readonly #onRecord = (record: MasterVideo): void => {
    const state = this.#projects.get(record.projectId)
    if (state) this.#observe(state, record)
  }

  readonly #onProgress = (event: ProgressEvent): void => {
    const state = this.#projects.get(event.projectId)
    const seen = state?.seen.get(event.id)
    if (!state || !seen || seen.status !== 'processing' || event.progress <= seen.progress) return
    seen.progress = event.progress
    this.#send(state, { event: 'progress', data: { ...event } })
  }

  readonly #onDeleted = (record: MasterVideo): void => {
    const state = this.#projects.get(record.projectId)
    if (state) this.#forget(state, record.id)
  }

  #listen(): void {
    if (this.#listening) return
    this.#listening = true
    for (const name of RECORD_EVENTS) this.#mv.on(name, this.#onRecord)
    this.#mv.on('progress', this.#onProgress)
    this.#mv.on('deleted', this.#onDeleted)
  }

  #unlisten(): void {
    if (!this.#listening) return
    this.#listening = false
    for (const name of RECORD_EVENTS) this.#mv.off(name, this.#onRecord)
    this.#mv.off('progress', this.#onProgress)
    this.#mv.off('deleted', this.#onDeleted)
  }

  /** Sends what changed about `record` since the hub last saw it; older news is dropped. */
  #observe(state: ProjectState, record: MasterVideo, silent = false): void {
    const seen = state.seen.get(record.id)
    const updatedAt = record.updatedAt.getTime()
    if (seen && updatedAt < seen.updatedAt) return
    if (!seen || seen.status !== record.status) {
      state.seen.set(record.id, {
        status: record.status,
        progress: record.progress,
        updatedAt,
        createdAt: record.createdAt.getTime(),
      })
      if (!silent) this.#send(state, { event: record.status, record })
      return
    }
    seen.updatedAt = updatedAt
    if (record.status === 'processing' && record.progress > seen.progress) {
      seen.progress = record.progress
      this.#send(state, {
        event: 'progress',
        data: { id: record.id, projectId: record.projectId, progress: record.progress },
      })
    }
  }

  #forget(state: ProjectState, id: string): void {
    const known = state.seen.delete(id)
    if (known) this.#send(state, { event: 'deleted', data: { id, projectId: state.projectId } })
  }

  #send(state: ProjectState, event: ProjectEvent): void {
    for (const subscriber of state.subscribers) subscriber(event)
  }

  #schedulePoll(state: ProjectState, delayMs: number, first = true): void {
    state.timer = setTimeout(() => void this.#poll(state, first), delayMs)
    state.timer.unref?.()
  }

  /** Reads the project's newest jobs: what a worker in another process changed arrives this way. */
  async #poll(state: ProjectState, first: boolean): Promise<void> {
    const { projectId } = state
    try {
      const page = await this.#mv.list({ projectId, limit: POLL_PAGE })
      if (this.#projects.get(projectId) !== state) return
      // The first read is the baseline: the page that opened the stream already listed those jobs.
      for (const record of page.items) this.#observe(state, record, first)
      // A job missing from the page was deleted if the page reaches back past it.
      const present = new Set(page.items.map((record) => record.id))
      const oldest = page.nextCursor ? (page.items.at(-1)?.createdAt.getTime() ?? 0) : 0
      for (const [id, seen] of state.seen) {
        if (!present.has(id) && seen.createdAt > oldest) this.#forget(state, id)
      }
    } catch {
      // A database hiccup: the next poll tries again.
    }
    if (this.#projects.get(projectId) === state) this.#schedulePoll(state, this.#pollMs, false)
  }
}

const hubs = new WeakMap<MasterVideos, ProjectEventHub>()

function hubOf(mv: MasterVideos, pollMs: number): ProjectEventHub {
  let hub = hubs.get(mv)
  if (!hub) {
    hub = new ProjectEventHub(mv, pollMs)
    hubs.set(mv, hub)
  }
  return hub
}

/**
 * Streams every job of one project as server-sent events, for a page that
 * shows the whole list over one connection: an event named after the new
 * status each time a job changes (`created`, `processing`, `completed`,
 * `failed`, `canceled`; data: the record JSON; a retryable failure sends
 * `created` with its error), `progress` (data: `{ id, projectId, progress }`)
 * and `deleted` (data: `{ id, projectId }`). The stream stays open; a comment
 * line every `heartbeatMs` keeps proxies from closing it. Every stream of a
 * service shares one subscription and one repository poll per project, so
 * open pages add no listeners to the service.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/events', (c) =>
 *   projectEventsResponse(c, mv, c.req.param('projectId'), (record) => record, {}),
 * )
 * ```
 */
export function projectEventsResponse(
  c: Context,
  mv: MasterVideos,
  projectId: string,
  toJson: (record: MasterVideo) => unknown,
  options: EventsOptions,
): Response {
  const heartbeatMs = options.heartbeatMs ?? 15_000
  const hub = hubOf(mv, options.pollMs ?? 1_000)
  c.header('X-Accel-Buffering', 'no') // nginx: pass events through as they come
  c.header('Cache-Control', 'no-store')

  return streamSSE(c, async (stream) => {
    let closed = false
    let writes: Promise<void> = Promise.resolve()
    let finish: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      finish = resolve
    })
    const stop = () => {
      if (closed) return
      closed = true
      clearInterval(heartbeat)
      unsubscribe()
      finish()
    }
    // Writes are queued so events leave in the order the hub decided them.
    const write = (chunk: () => Promise<unknown>) => {
      writes = writes
        .then(() => (closed ? undefined : chunk()))
        .then(() => {})
        .catch(stop)
    }
    const unsubscribe = hub.subscribe(projectId, (item) => {
      const data = 'record' in item ? toJson(item.record) : item.data
      write(() => stream.writeSSE({ event: item.event, data: JSON.stringify(data) }))
    })
    const heartbeat = setInterval(() => write(() => stream.write(': heartbeat\n\n')), heartbeatMs)
    stream.onAbort(stop)
    // A first comment flushes the headers: the browser's EventSource opens now.
    write(() => stream.write(': connected\n\n'))
    await done
  })
}
