/** A job outcome worth telling a person about, read from a webhook payload. */
export interface Notice {
  outcome: 'completed' | 'failed'
  id: string
  projectId: string
  name: string
  /** Completed jobs: the master video's length in seconds and size in bytes, when the payload has them. */
  durationSec?: number
  sizeBytes?: number
  /** Failed jobs: the public error (code and plain message; never stderr). */
  errorCode?: string
  errorMessage?: string
  attempts?: number
  maxAttempts?: number
}

const OUTCOMES: Record<string, Notice['outcome']> = {
  'master_video.completed': 'completed',
  'master_video.failed': 'failed',
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

/**
 * The notice a verified payload asks for, or null for event types the relay
 * does not forward (`master_video.canceled`, types added later). Reads only
 * the fields it shows, so the payload may grow without breaking the relay.
 * Throws when a forwarded type lacks the job's id.
 *
 * @example
 * ```ts
 * const notice = toNotice({ type: 'master_video.completed', data: { id: 'master_1_ab', projectId: 'p1', name: '003' } })
 * ```
 */
export function toNotice(payload: unknown): Notice | null {
  const body = (payload ?? {}) as { type?: unknown; data?: Record<string, unknown> }
  const outcome = OUTCOMES[text(body.type) ?? '']
  if (!outcome) return null
  const data = body.data ?? {}
  const id = text(data.id)
  if (!id) throw new Error('payload without data.id')
  const output = (data.output ?? {}) as Record<string, unknown>
  const error = (data.error ?? {}) as Record<string, unknown>
  return {
    outcome,
    id,
    projectId: text(data.projectId) ?? '?',
    name: text(data.name) ?? id,
    durationSec: num(output.durationSec),
    sizeBytes: num(output.size),
    errorCode: text(error.code),
    errorMessage: text(error.message),
    attempts: num(data.attempts),
    maxAttempts: num(data.maxAttempts),
  }
}

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`

/** A one-line subject: `Master video "003" completed`. */
export function noticeSubject(notice: Notice): string {
  return `Master video "${notice.name}" ${notice.outcome}`
}

/** The plain-text body shared by Telegram and e-mail. */
export function noticeText(notice: Notice): string {
  const lines = [`${noticeSubject(notice)} (project ${notice.projectId})`]
  if (notice.outcome === 'completed') {
    const facts = [
      notice.durationSec !== undefined ? `${notice.durationSec.toFixed(1)} s` : null,
      notice.sizeBytes !== undefined ? megabytes(notice.sizeBytes) : null,
    ].filter(Boolean)
    if (facts.length > 0) lines.push(facts.join(', '))
  } else {
    lines.push(`${notice.errorCode ?? 'UNKNOWN'}: ${notice.errorMessage ?? 'no message'}`)
    if (notice.attempts !== undefined && notice.maxAttempts !== undefined) {
      lines.push(`after attempt ${notice.attempts} of ${notice.maxAttempts}`)
    }
  }
  lines.push(`job ${notice.id}`)
  return lines.join('\n')
}
