import {
  FINAL_STATUSES,
  isMasterVideoError,
  type MasterVideo,
  type MasterVideos,
  type ProgressEvent,
} from '@mastervideo/core'
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'

/** Timing of the `events` route. */
export interface EventsOptions {
  /** A comment line keeps proxies from closing an idle stream. Default 15000 ms. */
  heartbeatMs?: number
  /** How often the repository is read, for jobs run by a worker in another process. Default 1000 ms. */
  pollMs?: number
}

const RECORD_EVENTS = ['created', 'processing', 'retrying', 'completed', 'failed', 'canceled'] as const

/**
 * Streams a job's life as server-sent events: one event named after the
 * status each time it changes (data: the record JSON), `progress` events
 * (data: `{ id, projectId, progress }`) while it runs, `deleted` if it is
 * removed, then the stream ends once the status is final. This process's
 * events arrive at once; the repository is also polled, so a job run by a
 * worker elsewhere is followed too. Events never go backwards: a progress
 * lower than one already sent is dropped.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/:id/events', async (c) =>
 *   eventsResponse(c, mv, await mv.get(c.req.param('id')), (r) => r, {}),
 * )
 * ```
 */
export function eventsResponse(
  c: Context,
  mv: MasterVideos,
  initial: MasterVideo,
  toJson: (record: MasterVideo) => unknown,
  options: EventsOptions,
): Response {
  const { id, projectId } = initial
  const heartbeatMs = options.heartbeatMs ?? 15_000
  const pollMs = options.pollMs ?? 1_000
  c.header('X-Accel-Buffering', 'no') // nginx: pass events through as they come

  return streamSSE(c, async (stream) => {
    let lastStatus: string | null = null
    let lastProgress = -1
    let closed = false
    let writes: Promise<void> = Promise.resolve()
    let pollTimer: NodeJS.Timeout | undefined
    let finish: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      finish = () => {
        if (closed) return
        closed = true
        clearTimeout(pollTimer)
        clearInterval(heartbeat)
        for (const event of RECORD_EVENTS) mv.off(event, onRecord)
        mv.off('progress', onProgress)
        mv.off('deleted', onDeleted)
        resolve()
      }
    })
    // Writes are queued so events leave in the order they were decided.
    const write = (chunk: () => Promise<void>) => {
      writes = writes.then(() => (closed ? undefined : chunk())).catch(finish)
    }
    const send = (event: string, data: unknown) =>
      write(() => stream.writeSSE({ event, data: JSON.stringify(data) }))
    const endAfterWrites = () => {
      writes = writes.then(finish)
    }

    const progressOf = (progress: number) => {
      if (lastStatus !== 'processing' || progress <= lastProgress) return
      lastProgress = progress
      send('progress', { id, projectId, progress })
    }
    function onRecord(record: MasterVideo): void {
      if (record.id !== id || closed) return
      if (record.status !== lastStatus) {
        lastStatus = record.status
        lastProgress = record.progress
        send(record.status, toJson(record))
      } else if (record.status === 'processing') {
        progressOf(record.progress)
      }
      if (FINAL_STATUSES.includes(record.status)) endAfterWrites()
    }
    function onProgress(event: ProgressEvent): void {
      if (event.id === id && !closed) progressOf(event.progress)
    }
    function onDeleted(record: MasterVideo): void {
      if (record.id !== id || closed) return
      send('deleted', { id, projectId })
      endAfterWrites()
    }
    async function poll(): Promise<void> {
      try {
        onRecord(await mv.get(id, { projectId }))
      } catch (error) {
        if (isMasterVideoError(error) && error.code === 'NOT_FOUND') onDeleted({ ...initial })
        // Anything else (a database hiccup): try again at the next poll.
      }
      if (!closed) pollTimer = setTimeout(poll, pollMs)
    }

    const heartbeat = setInterval(
      () => write(() => stream.write(': heartbeat\n\n').then(() => {})),
      heartbeatMs,
    )
    stream.onAbort(finish)
    for (const event of RECORD_EVENTS) mv.on(event, onRecord)
    mv.on('progress', onProgress)
    mv.on('deleted', onDeleted)
    onRecord(initial)
    if (!closed) pollTimer = setTimeout(poll, pollMs)
    await done
  })
}
