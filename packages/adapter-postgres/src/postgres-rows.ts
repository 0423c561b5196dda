import type {
  EncodingOptions,
  JobError,
  MasterVideo,
  MasterVideoOutput,
  MasterVideoStatus,
  Shot,
} from '@mastervideo/core'
import { decodeNullable, decodeText } from './text-encoding.js'

/** A `master_videos` row as `pg` returns it. */
export interface MasterVideoRow {
  id: string
  project_id: string
  name: string
  shots: unknown
  status: MasterVideoStatus
  progress: number | string
  attempts: number | string
  max_attempts: number | string
  run_at: Date | string
  lease_owner: string | null
  lease_token: string | null
  lease_expires_at: Date | string | null
  error: unknown
  output: unknown
  thumbnail_key: string | null
  encoding: unknown
  idempotency_key: string | null
  created_at: Date | string
  updated_at: Date | string
  started_at: Date | string | null
  completed_at: Date | string | null
}

// A host's pool may have its own type parsers (timestamps or JSON left as
// strings); accept both shapes so the records look the same either way.
function date(value: Date | string): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(value)
}
function dateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : date(value)
}
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

/** The record a row stores. Every call builds fresh objects, so callers may mutate what they get. */
export function toRecord(row: MasterVideoRow): MasterVideo {
  return {
    id: decodeText(row.id),
    projectId: decodeText(row.project_id),
    name: decodeText(row.name),
    shots: json<Shot[]>(row.shots),
    status: row.status,
    progress: Number(row.progress),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: date(row.run_at),
    leaseOwner: decodeNullable(row.lease_owner),
    leaseToken: decodeNullable(row.lease_token),
    leaseExpiresAt: dateOrNull(row.lease_expires_at),
    error: json<JobError | null>(row.error),
    output: json<MasterVideoOutput | null>(row.output),
    thumbnailKey: decodeNullable(row.thumbnail_key),
    encoding: json<EncodingOptions>(row.encoding),
    idempotencyKey: decodeNullable(row.idempotency_key),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    startedAt: dateOrNull(row.started_at),
    completedAt: dateOrNull(row.completed_at),
  }
}

/** A value for a `json` column: `json`, unlike `jsonb`, keeps `\u0000` escapes verbatim. */
export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}
