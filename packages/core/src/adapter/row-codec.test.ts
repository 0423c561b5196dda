import { describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'
import { applyTransition, initialRecord, type TransitionEvent } from '../record/state-machine.js'
import { clampProgress } from './progress-clamp.js'
import { RECORD_COLUMNS, TRANSITION_COLUMNS } from './record-columns.js'
import { type RecordRow, type RowDialect, rowCodec } from './row-codec.js'
import { transitionRequests, transitionWrite } from './transition-write.js'

const dialect: RowDialect = {
  placeholder: (n) => `$${n}`,
  nullSafeEquals: 'IS NOT DISTINCT FROM',
  encodeText: (value) => `t:${value}`,
  decodeText: (stored) => String(stored).slice(2),
  encodeTimestamp: (date) => date.getTime(),
  decodeTimestamp: (ms) => new Date(Number(ms)),
  encodeJson: (value) => JSON.stringify(value),
  decodeJson: (text) => JSON.parse(String(text)),
}
const codec = rowCodec(dialect)
const now = new Date('2026-01-02T03:04:05.678Z')
const output = { key: 'o.mp4', size: 5, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }
const lease = { id: 'master_1_abcdefgh', token: 'tok', workerId: 'w1' }

function fresh(): MasterVideo {
  return initialRecord(
    {
      id: lease.id,
      projectId: 'p1',
      name: 'n',
      shots: [{ assetId: 'a.mp4', trimStart: 1 }],
      maxAttempts: 3,
      encoding: { strategy: 'auto' },
      idempotencyKey: null,
    },
    now,
  )
}
const claimed = () =>
  applyTransition(fresh(), 'claim', { workerId: 'w1', leaseToken: 'tok', leaseMs: 1000 }, now)
const asRow = (record: MasterVideo) =>
  Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c.column, codec.values(record)[i]])) as RecordRow

describe('record columns', () => {
  it('map every field once', () => {
    expect(new Set(RECORD_COLUMNS.map((c) => c.field)).size).toBe(RECORD_COLUMNS.length)
    expect(RECORD_COLUMNS.map((c) => c.field).sort()).toEqual(Object.keys(claimed()).sort())
  })

  it('list every field a transition changes', () => {
    const written = new Set<string>(TRANSITION_COLUMNS.map((c) => c.field))
    const failed = applyTransition(claimed(), 'fail', { error: { code: 'TIMEOUT', message: 'x' } }, now)
    const cases: [MasterVideo, TransitionEvent, unknown][] = [
      [fresh(), 'claim', { workerId: 'w', leaseToken: 't', leaseMs: 5 }],
      [claimed(), 'complete', { output, thumbnailKey: 't.jpg' }],
      [
        claimed(),
        'requeue',
        { runAt: new Date(0), error: { code: 'TIMEOUT', message: 'x' }, refundAttempt: true },
      ],
      [claimed(), 'fail', { error: { code: 'TIMEOUT', message: 'x' } }],
      [claimed(), 'cancel', {}],
      [fresh(), 'cancel', {}],
      [failed, 'retry', {}],
      [applyTransition(claimed(), 'cancel', {}, now), 'retry', {}],
    ]
    for (const [before, event, data] of cases) {
      const after = applyTransition(before, event, data as never, new Date(now.getTime() + 1))
      for (const field of Object.keys(after) as (keyof MasterVideo)[]) {
        if (!written.has(field)) expect(after[field], `${event} changed ${field}`).toEqual(before[field])
      }
    }
  })
})

describe('rowCodec', () => {
  it('round-trips a record through its row into fresh objects', () => {
    const record = applyTransition(claimed(), 'complete', { output, thumbnailKey: null }, now)
    const row = asRow(record)
    expect(row.project_id).toBe('t:p1')
    expect(row.thumbnail_key).toBeNull()
    expect(row.completed_at).toBe(now.getTime())
    const back = codec.toRecord(row)
    expect(back).toEqual(record)
    back.shots.push({ assetId: 'changed' })
    expect(codec.toRecord(row).shots).toEqual([{ assetId: 'a.mp4', trimStart: 1 }])
  })

  it('reads numbers a driver returns as strings or bigint', () => {
    const row = { ...asRow(claimed()), attempts: 1n, progress: '0.5', max_attempts: '3' }
    expect(codec.toRecord(row)).toMatchObject({ attempts: 1, progress: 0.5, maxAttempts: 3 })
  })

  it('writes the transition columns where id, status and lease token match', () => {
    const sql = codec.compareAndSetSql('jobs')
    const n = TRANSITION_COLUMNS.length
    expect(sql).toContain(`SET status = $1, progress = $2`)
    expect(sql).toContain(`WHERE id = $${n + 1} AND status = $${n + 2}`)
    expect(sql).toContain(`lease_token IS NOT DISTINCT FROM $${n + 3}`)
    const write = transitionWrite(
      transitionRequests.complete(lease, { output, thumbnailKey: null }),
      claimed(),
      now,
    )
    const values = codec.compareAndSetValues(write)
    expect(values).toHaveLength(n + 3)
    expect(values.slice(0, 2)).toEqual(['t:completed', 1])
    expect(values.slice(n)).toEqual([`t:${lease.id}`, 't:processing', 't:tok'])
  })
})

describe('transitionWrite', () => {
  it('writes what applyTransition computes and expects the row as read', () => {
    const current = claimed()
    const write = transitionWrite(transitionRequests.release(lease), current, now)
    expect(write.record).toEqual(
      applyTransition(current, 'requeue', { runAt: now, error: null, refundAttempt: true }, now),
    )
    expect(write.expected).toEqual({ id: lease.id, status: 'processing', leaseToken: 'tok' })
  })

  it('turns fail with retryAt into a requeue that keeps the attempt', () => {
    const retryAt = new Date(now.getTime() + 60_000)
    const request = transitionRequests.fail(lease, { code: 'TIMEOUT', message: 'slow' }, { retryAt })
    const { record } = transitionWrite(request, claimed(), now)
    expect(record).toMatchObject({
      status: 'created',
      attempts: 1,
      runAt: retryAt,
      error: { code: 'TIMEOUT' },
    })
  })

  it.each([
    ['NOT_FOUND', transitionRequests.cancel('master_9_zzzzzzzz'), null],
    ['LEASE_LOST', transitionRequests.complete(lease, { output, thumbnailKey: null }), null],
    [
      'LEASE_LOST',
      transitionRequests.complete({ ...lease, token: 'other' }, { output, thumbnailKey: null }),
      'claimed',
    ],
    ['ILLEGAL_TRANSITION', transitionRequests.retry(lease.id), 'claimed'],
  ] as const)('refuses with %s, naming the origin and no prefix', (code, request, state) => {
    const current = state === 'claimed' ? claimed() : null
    const error = (() => {
      try {
        transitionWrite(request, current, now, '@acme/repo')
      } catch (caught) {
        return caught
      }
    })()
    expect(isMasterVideoError(error)).toBe(true)
    expect(error).toMatchObject({ code, origin: '@acme/repo' })
    expect((error as Error).message).not.toMatch(/^\[/)
  })
})

it('clampProgress keeps progress in 0..1', () => {
  expect([clampProgress(-1), clampProgress(0.25), clampProgress(7)]).toEqual([0, 0.25, 1])
})
