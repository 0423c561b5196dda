import type { JobError, MasterVideo, MasterVideoOutput, MasterVideoStatus } from '@mastervideo/core'

/** A row of the jobs table as better-sqlite3 returns it (integers may be bigint on safe-integer connections). */
export interface JobRow {
  id: string
  project_id: string
  name: string
  shots: string
  status: string
  progress: number
  attempts: number | bigint
  max_attempts: number | bigint
  run_at: number | bigint
  lease_owner: string | null
  lease_token: string | null
  lease_expires_at: number | bigint | null
  error: string | null
  output: string | null
  thumbnail_key: string | null
  encoding: string
  idempotency_key: string | null
  created_at: number | bigint
  updated_at: number | bigint
  started_at: number | bigint | null
  completed_at: number | bigint | null
}

const date = (ms: number | bigint): Date => new Date(Number(ms))
const maybeDate = (ms: number | bigint | null): Date | null => (ms === null ? null : date(ms))
const ms = (value: Date | null): number | null => (value === null ? null : value.getTime())
const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value)

/** Builds a fresh record from a row: every call returns new objects, so callers can never alias stored state. */
export function toRecord(row: JobRow): MasterVideo {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    shots: JSON.parse(row.shots),
    status: row.status as MasterVideoStatus,
    progress: Number(row.progress),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: date(row.run_at),
    leaseOwner: row.lease_owner,
    leaseToken: row.lease_token,
    leaseExpiresAt: maybeDate(row.lease_expires_at),
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    output: row.output === null ? null : (JSON.parse(row.output) as MasterVideoOutput),
    thumbnailKey: row.thumbnail_key,
    encoding: JSON.parse(row.encoding),
    idempotencyKey: row.idempotency_key,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    startedAt: maybeDate(row.started_at),
    completedAt: maybeDate(row.completed_at),
  }
}

/** Every column of a new row, in the order of {@link INSERT_COLUMNS}. */
export function insertValues(record: MasterVideo): unknown[] {
  return [
    record.id,
    record.projectId,
    record.name,
    JSON.stringify(record.shots),
    record.status,
    record.progress,
    record.attempts,
    record.maxAttempts,
    record.runAt.getTime(),
    record.leaseOwner,
    record.leaseToken,
    ms(record.leaseExpiresAt),
    json(record.error),
    json(record.output),
    record.thumbnailKey,
    JSON.stringify(record.encoding),
    record.idempotencyKey,
    record.createdAt.getTime(),
    record.updatedAt.getTime(),
    ms(record.startedAt),
    ms(record.completedAt),
  ]
}

export const INSERT_COLUMNS = [
  'id',
  'project_id',
  'name',
  'shots',
  'status',
  'progress',
  'attempts',
  'max_attempts',
  'run_at',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
  'error',
  'output',
  'thumbnail_key',
  'encoding',
  'idempotency_key',
  'created_at',
  'updated_at',
  'started_at',
  'completed_at',
] as const

/**
 * The columns a transition may change, in the order of {@link transitionValues}.
 * Identity and input (id, project, name, shots, encoding, key, created_at) never change.
 */
export const TRANSITION_COLUMNS = [
  'status',
  'progress',
  'attempts',
  'run_at',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
  'error',
  'output',
  'thumbnail_key',
  'updated_at',
  'started_at',
  'completed_at',
] as const

/** The values of {@link TRANSITION_COLUMNS} for the record `applyTransition` computed. */
export function transitionValues(next: MasterVideo): unknown[] {
  return [
    next.status,
    next.progress,
    next.attempts,
    next.runAt.getTime(),
    next.leaseOwner,
    next.leaseToken,
    ms(next.leaseExpiresAt),
    json(next.error),
    json(next.output),
    next.thumbnailKey,
    next.updatedAt.getTime(),
    ms(next.startedAt),
    ms(next.completedAt),
  ]
}
