import { readdir } from 'node:fs/promises'

/**
 * The project ids of the standalone layout (one folder per project under the
 * assets root), for the queue gauges' oldest-job read; none when the folder
 * cannot be read.
 */
export async function projectFolders(assetsRoot: string): Promise<string[]> {
  const entries = await readdir(assetsRoot, { withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
}
