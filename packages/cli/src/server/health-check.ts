import { writeFile } from 'node:fs/promises'
import type { MasterVideos } from '@mastervideo/core'

/** One check of `GET /healthz`: `ok`, or why not in words without a server path. */
export type CheckResult = { ok: true } | { ok: false; reason: string }

/** What `GET /healthz` answers: 200 when every check passed, 503 otherwise. */
export interface HealthReport {
  ok: boolean
  checks: { database: CheckResult; output: CheckResult }
}

/** An id no job has: the lookup is one indexed read that finds nothing. */
const PROBE_ID = 'master_0_healthzz'

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the disk',
  ENOENT: 'it does not exist',
  ENOTDIR: 'a file stands where a folder should be',
}

/** The reason in plain words: the system error's meaning, never the path it names. */
function reasonOf(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const words = ERRNO_WORDS[(e as NodeJS.ErrnoException).code ?? '']
    if (words) return words
  }
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''
  return message.replace(/(?:[A-Za-z]:)?[\\/][^\s'"]*/g, '<path>')
}

async function check(work: () => Promise<unknown>, ms: number, what: string): Promise<CheckResult> {
  try {
    await withTimeout(work(), ms, what)
    return { ok: true }
  } catch (error) {
    return { ok: false, reason: `${what}: ${reasonOf(error)}` }
  }
}

/**
 * The checks behind `GET /healthz`: the database answers a cheap read (one
 * lookup by id), and the output store takes a new file (a one-byte temporary
 * file is prepared, written and discarded, so nothing stays behind). Each
 * check gives up after `timeoutMs` (default 2000), so a stuck database makes
 * the probe fail rather than hang.
 *
 * @example
 * ```ts
 * const health = healthCheck(mv)
 * const report = await health()
 * console.log(report.ok ? 'healthy' : report.checks)
 * ```
 */
export function healthCheck(
  mv: MasterVideos,
  options: { timeoutMs?: number } = {},
): () => Promise<HealthReport> {
  const ms = options.timeoutMs ?? 2000
  return async () => {
    const [database, output] = await Promise.all([
      check(() => mv.repository.get(PROBE_ID), ms, 'the database'),
      check(
        async () => {
          const pending = await mv.output.prepare(`healthz-${process.pid}-${Date.now()}.txt`)
          try {
            await writeFile(pending.path, '1')
          } finally {
            await pending.discard()
          }
        },
        ms,
        'the output folder',
      ),
    ])
    return { ok: database.ok && output.ok, checks: { database, output } }
  }
}
