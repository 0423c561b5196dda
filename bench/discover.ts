import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** One `packages/<folder>/bench/<bench>.bench.ts`. */
export interface BenchFile {
  folder: string
  /** The package's name from its package.json, e.g. `@mastervideo/adapter-sqlite`. */
  packageName: string
  bench: string
  /** Absolute path. */
  path: string
}

/** Every bench file of the workspace, package folders in name order. */
export function discoverBenches(root: string): BenchFile[] {
  const packages = path.join(root, 'packages')
  return readdirSync(packages)
    .sort()
    .flatMap((folder) => {
      const dir = path.join(packages, folder, 'bench')
      const manifest = path.join(packages, folder, 'package.json')
      if (!existsSync(dir) || !existsSync(manifest)) return []
      const packageName = (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name
      return readdirSync(dir)
        .filter((file) => file.endsWith('.bench.ts'))
        .sort()
        .map((file) => ({
          folder,
          packageName,
          bench: file.slice(0, -'.bench.ts'.length),
          path: path.join(dir, file),
        }))
    })
}

/** Whether `filter` names `b`: its folder, its package name, or one file as `<folder>/<bench>`. */
const names = (filter: string, b: BenchFile): boolean =>
  b.folder === filter || b.packageName === filter || `${b.folder}/${b.bench}` === filter

/**
 * The benches `filters` name: a package by folder (`adapter-sqlite`) or
 * package name (`@mastervideo/adapter-sqlite`), or one bench file as
 * `<folder>/<bench>` (`adapter-ffmpeg/ladder`), exactly; all without filters.
 * A filter that names nothing throws, so a typo never runs nothing quietly.
 */
export function selectBenches(all: BenchFile[], filters: string[]): BenchFile[] {
  if (filters.length === 0) return all
  for (const filter of filters) {
    if (!all.some((b) => names(filter, b))) {
      const known = all.map((b) => `${b.folder}/${b.bench}`).join(', ')
      throw new Error(`no package or bench "${filter}" (known: ${known})`)
    }
  }
  return all.filter((b) => filters.some((filter) => names(filter, b)))
}
