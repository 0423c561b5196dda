import { existsSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type CpuSnapshot, foreignCores } from './cpu-share.js'

/**
 * Without CPU counters (no /proc), a run is quiet when the 1-minute load
 * average before and after it is below this share of the cores.
 */
export const QUIET_LOAD_PER_CORE = 0.5
/**
 * With CPU counters, a run is quiet when other processes used less than this
 * share of the cores while it ran (see cpu-share.ts). The load average cannot
 * decide it there: it trails by a minute, so the bench before, or this one's
 * own ffmpeg, would make a run on an otherwise idle machine look busy.
 */
export const QUIET_FOREIGN_PER_CORE = 0.25

/** The machine and versions a run measured on. */
export interface RunHeader {
  date: string
  node: string
  cpus: number
  cpuModel: string
  loadBefore: number
  loadAfter: number
  /** Cores' worth of CPU other processes used during the run, on average; null without /proc. */
  foreignCores: number | null
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

/** The header of a run that started at `date` with `loadBefore` and the CPU counters `cpuBefore`, and ends now. */
export function runHeader(
  root: string,
  date: Date,
  loadBefore: number,
  cpuBefore: CpuSnapshot | null,
  cpuAfter: CpuSnapshot | null,
): RunHeader {
  const cpus = os.cpus()
  const loadAfter = loadNow()
  const limit = QUIET_LOAD_PER_CORE * cpus.length
  const foreign = foreignCores(cpuBefore, cpuAfter, cpus.length)
  const quiet =
    foreign === null
      ? loadBefore < limit && loadAfter < limit
      : foreign < QUIET_FOREIGN_PER_CORE * cpus.length
  return {
    date: date.toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    loadBefore,
    loadAfter,
    foreignCores: foreign,
    versions: packageVersions(root),
    quiet,
  }
}

/** The header as Markdown lines, the same on the console and in the pages. */
export function headerLines(header: RunHeader): string[] {
  const limit = QUIET_LOAD_PER_CORE * header.cpus
  const versions = Object.entries(header.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
  const load = `1-minute load average ${header.loadBefore.toFixed(2)} before, ${header.loadAfter.toFixed(2)} after`
  const rule =
    header.foreignCores === null
      ? `${load} (no CPU counters here: quiet needs both below ${limit.toFixed(1)})`
      : `other processes used ${header.foreignCores.toFixed(2)} cores on average during the run (quiet needs below ${(
          QUIET_FOREIGN_PER_CORE * header.cpus
        ).toFixed(1)}); ${load}`
  return [
    `- date: ${header.date}; Node ${header.node}; ${header.cpus} × ${header.cpuModel}`,
    `- ${rule}: ${header.quiet ? '**quiet**' : '**busy**'}`,
    `- packages: ${versions}`,
  ]
}
