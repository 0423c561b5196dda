import { existsSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A run is quiet when the 1-minute load average, before and after, is below this share of the cores. */
export const QUIET_LOAD_PER_CORE = 0.5

/** The machine and versions a run measured on. */
export interface RunHeader {
  date: string
  node: string
  cpus: number
  cpuModel: string
  loadBefore: number
  loadAfter: number
  /** name → version of every workspace package under packages/. */
  versions: Record<string, string>
  quiet: boolean
}

/** The 1-minute load average now. */
export const loadNow = (): number => os.loadavg()[0] ?? 0

/** Versions of the workspace packages under `root/packages`, from their package.json. */
export function packageVersions(root: string): Record<string, string> {
  const dir = path.join(root, 'packages')
  const versions: Record<string, string> = {}
  for (const folder of readdirSync(dir).sort()) {
    const file = path.join(dir, folder, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string }
    versions[pkg.name] = pkg.version
  }
  return versions
}

/** The header of a run that started at `date` with `loadBefore` and ends now. */
export function runHeader(root: string, date: Date, loadBefore: number): RunHeader {
  const cpus = os.cpus()
  const loadAfter = loadNow()
  const limit = QUIET_LOAD_PER_CORE * cpus.length
  return {
    date: date.toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    loadBefore,
    loadAfter,
    versions: packageVersions(root),
    quiet: loadBefore < limit && loadAfter < limit,
  }
}

/** The header as Markdown lines, the same on the console and in the pages. */
export function headerLines(header: RunHeader): string[] {
  const limit = QUIET_LOAD_PER_CORE * header.cpus
  const versions = Object.entries(header.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
  return [
    `- date: ${header.date}; Node ${header.node}; ${header.cpus} × ${header.cpuModel}`,
    `- 1-minute load average: ${header.loadBefore.toFixed(2)} before, ${header.loadAfter.toFixed(2)} after: ${
      header.quiet ? '**quiet**' : '**busy**'
    } (quiet means below ${limit.toFixed(1)}, ${QUIET_LOAD_PER_CORE} × cores, before and after)`,
    `- packages: ${versions}`,
  ]
}
