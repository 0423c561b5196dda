import { randomBytes } from 'node:crypto'
import path from 'node:path'

/**
 * Runs `task` over `items`, at most `limit` at a time, and returns the
 * results in the items' order. Starts nothing new after a failure and waits
 * for the running ones before rejecting with the first error, so no child
 * process outlives the call.
 *
 * @example
 * ```ts
 * const sizes = await mapLimit(['a.mp4', 'b.mp4', 'c.mp4'], 2, async (file) => (await stat(file)).size)
 * ```
 */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++
      try {
        results[index] = await task(items[index] as T)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  if (failure) throw failure.error
  return results
}

/**
 * A hidden, unique name beside `file` (`.out.mp4.<random>.<suffix>`): written
 * there and renamed into place, a file appears whole or not at all, and the
 * rename stays on one file system.
 *
 * @example
 * ```ts
 * tempBeside('/videos/out.mp4', 'partial') // '/videos/.out.mp4.3f9a1c0b2d4e.partial'
 * ```
 */
export function tempBeside(file: string, suffix: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.${suffix}`)
}
