// A throwaway PostgreSQL for tests and benchmarks: `initdb` into a temp dir,
// `pg_ctl start` on a free port of 127.0.0.1 (plus a Unix socket in that dir),
// stopped and removed afterwards. Set MASTERVIDEO_PG_URL to use a server of
// your own instead. As root (CI) the server runs as the `postgres` OS user,
// because initdb refuses to run as root.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const PREFIX = 'mastervideo-pg-'

/** A running server. */
export interface TestServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (or MASTERVIDEO_PG_URL). */
  url: string
  /** Stops and removes a server this helper started; does nothing for MASTERVIDEO_PG_URL. */
  stop(): Promise<void>
}

function binDir(): string {
  if (process.env.MASTERVIDEO_PG_BIN) return process.env.MASTERVIDEO_PG_BIN
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return path.join(debian, versions[0], 'bin')
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(
      'PostgreSQL binaries not found: install postgresql (apt-get install postgresql), set MASTERVIDEO_PG_BIN, or set MASTERVIDEO_PG_URL to a running server',
    )
  }
}

const asRoot = process.getuid?.() === 0

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function pgRun(bin: string, args: string[]) {
  const file = path.join(binDir(), bin)
  return asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args)
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
  if (process.env.MASTERVIDEO_PG_URL) return { url: process.env.MASTERVIDEO_PG_URL, stop: async () => {} }
  await sweepStale().catch(() => {})
  const dir = await mkdtemp(path.join(tmpdir(), PREFIX))
  await writeFile(path.join(dir, 'owner.pid'), String(process.pid))
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
    await chown(dir, uid, gid)
  }
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
        stop: async () => {
          await pgRun('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => {})
          await rm(dir, { recursive: true, force: true })
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
