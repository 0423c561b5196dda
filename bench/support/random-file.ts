// The payload of the serving benches: random bytes, so no layer can compress
// or deduplicate what it sends.
import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'

/**
 * Writes `bytes` random bytes to `file` (1 MiB of randomness repeated).
 *
 * @example
 * ```ts
 * await writeRandomFile(path.join(dir, 'master_1_benchmark_1.mp4'), 100 * 1000 * 1000)
 * ```
 */
export async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w')
  try {
    const chunk = randomBytes(1024 * 1024)
    for (let written = 0; written < bytes; written += chunk.length) {
      await handle.write(chunk, 0, Math.min(chunk.length, bytes - written))
    }
  } finally {
    await handle.close()
  }
}
