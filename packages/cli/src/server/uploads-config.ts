import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSafeName } from './safe-name.js'

/** Where the tus endpoint of the standalone server listens. */
export const uploadsEndpoint = '/api/uploads'

/** The default upload limit: 2 GiB, a long phone video. */
export const DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024 ** 3

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/**
 * The largest upload the standalone server takes: `MASTERVIDEO_UPLOAD_MAX_BYTES`
 * (bytes, or with a binary unit: `500M`, `2G`, `2GiB`), else 2 GiB. A value that
 * does not parse throws, so a typo stops the server instead of lifting the limit.
 *
 * @example
 * ```ts
 * uploadLimitBytes({ MASTERVIDEO_UPLOAD_MAX_BYTES: '500M' }) // 524288000
 * ```
 */
export function uploadLimitBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.MASTERVIDEO_UPLOAD_MAX_BYTES?.trim()
  if (!raw) return DEFAULT_UPLOAD_MAX_BYTES
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(raw)
  const bytes = match
    ? Math.floor(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1))
    : Number.NaN
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new Error(`MASTERVIDEO_UPLOAD_MAX_BYTES=${raw} is not a size (examples: 2147483648, 500M, 2G)`)
  }
  return bytes
}

/** The project folder for `projectId` when the id is a safe name and the folder exists; else `null`. */
export async function safeProjectDir(assetsRoot: string, projectId: string): Promise<string | null> {
  if (!isSafeName(projectId)) return null
  const dir = path.join(assetsRoot, projectId)
  const info = await stat(dir).catch(() => null)
  return info?.isDirectory() ? dir : null
}

/** A file of the dashboard folder, found from `src/server` (tests, source) or `dist` (published). */
export function dashboardFile(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(dir, 'dashboard', 'index.html'))) return path.join(dir, 'dashboard', name)
    dir = path.dirname(dir)
  }
  throw new Error('The dashboard files are not next to the package (is the install complete?)')
}
