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

/**
 * The benches of the packages `filters` name, by folder (`adapter-sqlite`) or
 * package name (`@mastervideo/adapter-sqlite`), exactly; all without filters.
 * A filter that names no package throws, so a typo never runs nothing quietly.
 */
export function selectBenches(all: BenchFile[], filters: string[]): BenchFile[] {
  if (filters.length === 0) return all
  for (const filter of filters) {
    if (!all.some((b) => b.folder === filter || b.packageName === filter)) {
      const known = [...new Set(all.map((b) => b.folder))].join(', ')
      throw new Error(`no package "${filter}" has benches (known: ${known})`)
    }
  }
  return all.filter((b) => filters.includes(b.folder) || filters.includes(b.packageName))
}
