import { type ChildProcess, spawn } from 'node:child_process'
import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CLAIM_WORKER_PROGRAM } from './claim-worker-program.js'

/** Options of {@link startClaimWorkers}. */
export interface ClaimWorkersOptions {
  /**
   * The module each process imports (an absolute path or a `file:` URL). It
   * exports `createRepository(args)` (or a default function) that opens a
   * `Repository` on the shared storage, and optionally `createPoller(args)`
   * returning the `Poller` that wakes the process once it has run out of work.
   */
  module: string | URL
  /** JSON-serializable arguments for `createRepository` and `createPoller` (a file name, a connection string, a schema). */
  args?: unknown
  /** How many processes. Default 4. */
  processes?: number
  /** Node options of each process. Default: `['--import', 'tsx']` for a `.ts` module, none otherwise. */
  execArgv?: string[]
  /** Working directory of each process (where `tsx` and the module's imports resolve from). Default: this one. */
  cwd?: string
  /** The lease each claim takes, in ms. Default 60000 (no lease expires during a run). */
  leaseMs?: number
}

/** One job a process reported, with the process's worker id (`process-<n>`). */
export interface ClaimReport {
  id: string
  workerId: string
}

/** A call that threw in a process. */
export interface ClaimWorkerError {
  workerId: string
  /** The job, when completing it failed. */
  id?: string
  error: { code: string | null; message: string }
}

/** Processes started by {@link startClaimWorkers}, ready and waiting for {@link ClaimWorkers.go}. */
export interface ClaimWorkers {
  /** Every successful claim, in the order the processes reported them. */
  readonly claims: readonly ClaimReport[]
  /** Every job completed after its claim. */
  readonly completed: readonly ClaimReport[]
  /** Every call that threw. */
  readonly errors: readonly ClaimWorkerError[]
  /**
   * Releases all processes at once. Each claims and completes jobs until none
   * is due, then waits for its poller (when the module exports one) and does
   * it again on every wake.
   */
  go(): void
  /** Resolves once every id was completed; rejects after `timeoutMs` (default 60000) or when a process dies. */
  waitForCompleted(ids: Iterable<string>, timeoutMs?: number): Promise<void>
  /** Stops every process (each finishes its current job, closes its repository) and resolves once all exited. */
  stop(): Promise<void>
}

type ChildMessage =
  | { type: 'ready' | 'stopped'; workerId: string }
  | { type: 'claimed' | 'completed'; id: string; workerId: string }
  | { type: 'error' | 'fatal'; workerId: string; id?: string; error: ClaimWorkerError['error'] }

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href
  if (module.startsWith('file:')) return module
  if (!isAbsolute(module)) throw new TypeError(`claim workers need an absolute module path, got ${module}`)
  return pathToFileURL(module).href
}

/**
 * Starts OS processes that each open their own repository on one shared
 * storage (through the author's module) and resolves once all are ready, so
 * that {@link ClaimWorkers.go} makes them race for the same jobs. This is the
 * harness under {@link multiProcessClaimConformance}; use it directly for
 * scenarios of your own (jobs trickling in while the processes wait on a poller).
 * No vitest needed.
 *
 * @example
 * ```ts
 * import { newJob, startClaimWorkers } from '@mastervideo/core/testing'
 * import { sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * const repository = sqliteRepository({ filename: '/tmp/race.sqlite' })
 * const ids = []
 * for (let i = 0; i < 100; i++) ids.push((await repository.create(newJob())).record.id)
 * const workers = await startClaimWorkers({
 *   module: new URL('./claim-repository.ts', import.meta.url),
 *   args: { filename: '/tmp/race.sqlite' },
 * })
 * workers.go()
 * await workers.waitForCompleted(ids)
 * await workers.stop()
 * console.log(workers.claims.length === new Set(workers.claims.map((c) => c.id)).size)
 * ```
 */
export async function startClaimWorkers(options: ClaimWorkersOptions): Promise<ClaimWorkers> {
  const url = moduleUrl(options.module)
  const execArgv = options.execArgv ?? (/\.[mc]?ts$/.test(url) ? ['--import', 'tsx'] : [])
  const count = options.processes ?? 4
  const claims: ClaimReport[] = []
  const completed: ClaimReport[] = []
  const errors: ClaimWorkerError[] = []
  const done = new Set<string>()
  const listeners = new Set<() => void>()
  let died: Error | null = null
  let stopping = false

  const children: { child: ChildProcess; exited: Promise<void> }[] = []
  const ready: Promise<void>[] = []
  for (let n = 1; n <= count; n++) {
    const workerId = `process-${n}`
    const child = spawn(
      process.execPath,
      [
        ...execArgv,
        '--input-type=module',
        '--eval',
        CLAIM_WORKER_PROGRAM,
        url,
        JSON.stringify(options.args ?? null),
        workerId,
        String(options.leaseMs ?? 60_000),
      ],
      { cwd: options.cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    )
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        if (!stopping && !died) died = new Error(`${workerId} exited (code ${code}, signal ${signal})`)
        for (const listener of listeners) listener()
        resolve()
      }),
    )
    ready.push(
      new Promise<void>((resolve, reject) => {
        child.on('message', (message: ChildMessage) => {
          if (message.type === 'ready') resolve()
          else if (message.type === 'claimed') claims.push({ id: message.id, workerId })
          else if (message.type === 'completed') {
            completed.push({ id: message.id, workerId })
            done.add(message.id)
          } else if (message.type === 'error') {
            errors.push({ workerId, error: message.error, ...(message.id ? { id: message.id } : {}) })
          } else if (message.type === 'fatal') {
            died = new Error(`${workerId} failed: ${message.error.message}`)
            reject(died)
          }
          for (const listener of listeners) listener()
        })
        void exited.then(() => reject(died ?? new Error(`${workerId} exited before it was ready`)))
      }),
    )
    children.push({ child, exited })
  }

  const stop = async () => {
    stopping = true
    for (const { child } of children) {
      if (child.connected) child.send('stop')
      else if (child.exitCode === null && child.signalCode === null) child.kill()
    }
    await Promise.all(children.map((c) => c.exited))
  }

  try {
    await Promise.all(ready)
  } catch (error) {
    await stop()
    throw error
  }

  return {
    claims,
    completed,
    errors,
    go() {
      for (const { child } of children) child.send('go')
    },
    waitForCompleted(ids, timeoutMs = 60_000) {
      const wanted = [...ids]
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (wanted.every((id) => done.has(id))) finish(null)
          else if (died) finish(died)
        }
        const timer = setTimeout(() => {
          const missing = wanted.filter((id) => !done.has(id)).length
          finish(new Error(`${missing} of ${wanted.length} jobs not completed within ${timeoutMs} ms`))
        }, timeoutMs)
        const finish = (error: Error | null) => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error) reject(error)
          else resolve()
        }
        listeners.add(check)
        check()
      })
    },
    stop,
  }
}
