// A bench's server in its own Node process, so the load generator in the
// bench process never shares its event loop. The script prints its port as
// its first line on stdout once it listens.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'
import { createInterface } from 'node:readline'

/** A server process started by {@link startServerProcess}. */
export interface ServerProcess {
  /** The port it printed. */
  port: number
  /** Its process id (for /proc: RSS, CPU time). */
  pid: number
  child: ChildProcess
  /** Ends it (SIGTERM) and waits for its exit; a no-op once it has exited. */
  stop(): Promise<void>
}

const root = path.resolve(import.meta.dirname, '../..')

/**
 * Runs `script` (TypeScript, workspace packages from source) with `args` and
 * resolves once it printed its port. `prefix` runs it under another command,
 * e.g. `['taskset', '-c', '0']` to pin it to a core (taskset execs, so the
 * pid is the server's).
 *
 * @example
 * ```ts
 * const server = await startServerProcess(path.join(import.meta.dirname, 'bench-server.ts'), ['send', file])
 * await server.stop()
 * ```
 */
export async function startServerProcess(
  script: string,
  args: string[],
  prefix: string[] = [],
): Promise<ServerProcess> {
  const node = [process.execPath, '--conditions=@mastervideo/source', '--import', 'tsx', script, ...args]
  const [command, ...rest] = [...prefix, ...node] as [string, ...string[]]
  const child = spawn(command, rest, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${path.basename(script)} ${args[0] ?? ''} exited with ${code} before listening`)
  })
  const line = once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')
  const [port] = (await Promise.race([line, exited])) as [string]
  return {
    port: Number(port),
    pid: child.pid ?? 0,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}
