import { ValidationError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'
import type { ListPage } from './repository.js'

/** The position after which the next page of a newest-first list starts. */
export interface ListCursor {
  /** `createdAt` of the last item of the previous page, in ms since the epoch. */
  createdAt: number
  /** `id` of that item (ties on `createdAt` are broken by id, descending). */
  id: string
}

/**
 * An opaque, URL-safe cursor for `(createdAt, id)` keyset pagination, shared
 * by the repositories so cursors look the same everywhere.
 */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url')
}

/** Reads a cursor made by {@link encodeCursor}; anything else is a `VALIDATION` error. */
export function decodeCursor(value: string): ListCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isFinite(parsed[0]) &&
      typeof parsed[1] === 'string'
    ) {
      return { createdAt: parsed[0] as number, id: parsed[1] as string }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('The cursor is not one this API returned', {
    details: { field: 'cursor' },
  })
}

/** Clamps a requested page size to 1..100 (default 20). */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 20
  return Math.min(100, Math.max(1, Math.trunc(limit)))
}

/**
 * A page from up to `size + 1` records read newest first: the first `size`
 * are the page, and one more means there is a next page, whose cursor points
 * after the last item shown.
 */
export function toPage(records: MasterVideo[], size: number): ListPage {
  const items = records.slice(0, size)
  const last = items.at(-1)
  return {
    items,
    nextCursor:
      records.length > size && last
        ? encodeCursor({ createdAt: last.createdAt.getTime(), id: last.id })
        : null,
  }
}
