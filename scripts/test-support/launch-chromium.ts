// A headless Chromium for the browser tests, through playwright-core. The
// browser is, first match wins: CHROMIUM_PATH, /usr/bin/chromium (Debian's),
// else the one inside the @sparticuz/chromium dev dependency, so
// `npm ci && npm test` needs nothing but Node.js.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Browser, chromium, type LaunchOptions } from 'playwright-core'

/** Where a browser was found. */
export interface ChromiumExecutable {
  /** The executable's absolute path. */
  path: string
  /** `CHROMIUM_PATH`, `system` or `@sparticuz/chromium`. */
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium'
}

const SYSTEM = '/usr/bin/chromium'

/**
 * Flags for a sandboxless test machine with no network but loopback: without
 * the background-networking ones Chromium keeps dialing Google's hosts.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
]

/**
 * Inflates the browser shipped (brotli-compressed) in @sparticuz/chromium into
 * a folder of the temp dir named after its version, once per machine. The
 * package always writes under `os.tmpdir()` and trusts any file already
 * there, so it writes into a private folder (TMPDIR pointed there for the
 * call) that is then renamed into place: a parallel test file, or a run killed
 * halfway, never leaves a truncated browser where the next run looks.
 */
async function sparticuzExecutable(): Promise<string | null> {
  // An optional dependency: typed loosely so the typecheck does not need it.
  const name = '@sparticuz/chromium'
  let sparticuz: { executablePath(): Promise<string> }
  let version: string
  try {
    sparticuz = ((await import(/* @vite-ignore */ name)) as { default: typeof sparticuz }).default
    // build/cjs/index.cjs -> the package's own package.json
    const main = createRequire(import.meta.url).resolve(name)
    version = JSON.parse(readFileSync(path.join(main, '../../../package.json'), 'utf8')).version
  } catch {
    return null
  }
  const home = path.join(tmpdir(), `mastervideo-chromium-${version}`)
  const file = path.join(home, 'chromium')
  if (existsSync(file)) return file
  const staging = `${home}.${process.pid}`
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  const saved = process.env.TMPDIR
  process.env.TMPDIR = staging
  try {
    await sparticuz.executablePath()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
  // Another process may have finished first: then its copy is kept.
  await rename(staging, home).catch(() => rm(staging, { recursive: true, force: true }))
  return file
}

/** Finds a browser as described above, or `null` when this machine has none. */
export async function findChromium(): Promise<ChromiumExecutable | null> {
  const configured = process.env.CHROMIUM_PATH
  if (configured) return { path: configured, source: 'CHROMIUM_PATH' }
  if (existsSync(SYSTEM)) return { path: SYSTEM, source: 'system' }
  const shipped = await sparticuzExecutable()
  return shipped ? { path: shipped, source: '@sparticuz/chromium' } : null
}

/**
 * Launches headless Chromium with {@link CHROMIUM_ARGS} (plus `options.args`).
 * Rejects with what to install when no browser is found.
 *
 * @example
 * const browser = await launchChromium()
 * const page = await browser.newPage()
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const found = await findChromium()
  if (!found) {
    throw new Error('no Chromium: run npm ci (it installs @sparticuz/chromium), or set CHROMIUM_PATH')
  }
  return chromium.launch({
    ...options,
    headless: true,
    executablePath: found.path,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  })
}
