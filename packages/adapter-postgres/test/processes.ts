// Forks worker processes (test/fixtures/worker-process.ts) the way a
// deployment runs worker machines: plain Node with tsx, not under vitest.
import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkerMessage, WorkerProcessOptions } from './fixtures/worker-process.js'
import { repoRoot } from './helpers.js'

const script = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url))

/** A running worker process and what it reported. */
export interface WorkerProcess {
  child: ChildProcess
  processing: string[]
  completed: string[]
  on(listener: (message: WorkerMessage) => void): void
  /** Graceful stop: the worker finishes or releases its jobs, then exits. */
  stop(): Promise<void>
}

export async function startWorker(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = fork(script, [JSON.stringify(options)], {
    cwd: repoRoot,
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const processing: string[] = []
  const completed: string[] = []
  const listeners: Array<(message: WorkerMessage) => void> = []
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve()
      if (message.type === 'processing') processing.push(message.id)
      if (message.type === 'completed') completed.push(message.id)
      for (const listener of listeners) listener(message)
    })
    child.once('exit', (code) =>
      reject(new Error(`worker ${options.workerId} exited with ${code} before it was ready`)),
    )
  })
  return {
    child,
    processing,
    completed,
    on: (listener) => listeners.push(listener),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.send('stop')
      await exited
    },
  }
}

export const fixturesDir = path.dirname(script)
