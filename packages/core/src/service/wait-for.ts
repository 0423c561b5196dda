import { CanceledError, isErrorCode, MasterVideoError, NotFoundError, TimeoutError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'
import type { Repository } from '../repository/repository.js'
import type { MasterVideoEmitter } from './events.js'

/** Options of `mv.waitFor(id, options)`. */
export interface WaitForOptions {
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal
  /** Rejects with `TIMEOUT` after this long. Default: no limit. */
  timeoutMs?: number
  /** How often the repository is read, for jobs run by other processes. Default 1000. */
  pollMs?: number
}

/** The error a failed or canceled record stands for. */
export function errorOfRecord(record: MasterVideo): MasterVideoError {
  if (record.status === 'canceled') {
    return new CanceledError(`Master video ${record.id} was canceled`, { details: { id: record.id } })
  }
  const code = record.error && isErrorCode(record.error.code) ? record.error.code : 'INTERNAL'
  return new MasterVideoError(code, record.error?.message ?? `Master video ${record.id} failed`, {
    details: { id: record.id },
  })
}

/**
 * Resolves when the job is `completed`; rejects with its stored error when it
 * ends `failed`, with `CANCELED` when canceled, with `NOT_FOUND` when it is
 * deleted. Listens to this process's events and reads the repository every
 * `pollMs` for workers elsewhere.
 */
export function waitFor(
  deps: { repository: Repository; emitter: MasterVideoEmitter },
  id: string,
  options: WaitForOptions = {},
): Promise<MasterVideo> {
  const { repository, emitter } = deps
  return new Promise<MasterVideo>((resolve, reject) => {
    let finished = false
    let pollTimer: NodeJS.Timeout | undefined
    let limitTimer: NodeJS.Timeout | undefined
    const onEvent = (record: MasterVideo) => {
      if (record.id === id) void check()
    }
    const events = ['completed', 'failed', 'canceled', 'deleted'] as const
    const cleanup = () => {
      finished = true
      clearTimeout(pollTimer)
      clearTimeout(limitTimer)
      for (const event of events) emitter.off(event, onEvent)
      options.signal?.removeEventListener('abort', onAbort)
    }
    const settle = (fn: () => void) => {
      if (finished) return
      cleanup()
      fn()
    }
    const onAbort = () =>
      settle(() => reject(options.signal?.reason ?? new CanceledError('waitFor was aborted')))

    async function check(): Promise<void> {
      let record: MasterVideo | null
      try {
        record = await repository.get(id)
      } catch (error) {
        settle(() => reject(error))
        return
      }
      if (!record) settle(() => reject(new NotFoundError(`No master video ${id}`, { details: { id } })))
      else if (record.status === 'completed') settle(() => resolve(record))
      else if (record.status === 'failed' || record.status === 'canceled') {
        settle(() => reject(errorOfRecord(record)))
      }
    }

    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    for (const event of events) emitter.on(event, onEvent)
    if (options.timeoutMs !== undefined) {
      limitTimer = setTimeout(
        () =>
          settle(() =>
            reject(new TimeoutError(`Master video ${id} was not done after ${options.timeoutMs} ms`)),
          ),
        options.timeoutMs,
      )
    }
    const poll = async () => {
      await check()
      if (!finished) pollTimer = setTimeout(poll, options.pollMs ?? 1000)
    }
    void poll()
  })
}
