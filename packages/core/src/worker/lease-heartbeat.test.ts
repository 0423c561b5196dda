import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { newLeaseToken } from '../record/ids.js'
import { memoryRepository } from '../repository/memory-repository.js'
import type { Repository } from '../repository/repository.js'
import { silentLogger } from '../support/logger.js'
import { type LeaseHeartbeatOptions, startLeaseHeartbeat } from './lease-heartbeat.js'

const LEASE_MS = 300
const HEARTBEAT_MS = 50
const MARGIN_MS = 100

/** A claimed job and a heartbeat over `heartbeat` (the repository's own by default). */
async function running(heartbeat?: Repository['heartbeat']) {
  const repository = memoryRepository()
  await repository.create({
    id: 'master_1_abcdefgh',
    projectId: 'p',
    name: 'n',
    shots: [{ assetId: 'a' }],
    maxAttempts: 3,
    encoding: {},
    idempotencyKey: null,
  })
  const claimSentAt = performance.now()
  const claimed = await repository.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: LEASE_MS })
  if (!claimed) throw new Error('nothing claimed')
  const lost: Array<{ kind: string; code: string; afterMs: number }> = []
  const options: LeaseHeartbeatOptions = {
    repository: heartbeat ? { ...repository, heartbeat } : repository,
    record: claimed.record,
    lease: claimed.lease,
    leaseMs: LEASE_MS,
    heartbeatMs: HEARTBEAT_MS,
    marginMs: MARGIN_MS,
    claimSentAt,
    progressIntervalMs: 10,
    logger: silentLogger,
    onProgress: () => {},
    onLost: (kind, reason) =>
      lost.push({ kind, code: reason.code, afterMs: performance.now() - claimSentAt }),
  }
  return { heartbeat: startLeaseHeartbeat(options), lost, repository, claimed }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('startLeaseHeartbeat', () => {
  it.each([
    ['hang', () => new Promise<never>(() => {})],
    ['fail', async () => Promise.reject(new Error('connection reset'))],
  ] as const)(
    'renewals that %s: LEASE_LOST once, after leaseMs - marginMs and before the lease lapses',
    async (_what, broken) => {
      const { heartbeat, lost } = await running(broken)
      await sleep(LEASE_MS + 100)
      await heartbeat.stop()
      expect(lost).toHaveLength(1)
      expect(lost[0]).toMatchObject({ kind: 'lease', code: 'LEASE_LOST' })
      expect(lost[0]?.afterMs).toBeGreaterThanOrEqual(LEASE_MS - MARGIN_MS - 5)
      expect(lost[0]?.afterMs).toBeLessThan(LEASE_MS)
    },
  )

  it('renewals that succeed keep the job however long it runs', async () => {
    const { heartbeat, lost, repository, claimed } = await running()
    await sleep(LEASE_MS * 3)
    await heartbeat.stop()
    expect(lost).toEqual([])
    expect((await repository.get(claimed.record.id))?.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now())
  })

  it('a renewal that succeeds late moves the deadline only from when it was sent', async () => {
    let calls = 0
    const repository = memoryRepository()
    // The first renewal answers after 150 ms; the rest hang.
    const slowThenHung: Repository['heartbeat'] = async (lease, update) => {
      calls++
      if (calls > 1) return new Promise<never>(() => {})
      await sleep(150)
      return repository.heartbeat(lease, update)
    }
    const { heartbeat, lost } = await running(slowThenHung)
    await sleep(LEASE_MS + 200)
    await heartbeat.stop()
    expect(lost).toHaveLength(1)
    // Sent at ~50 ms, so given up at ~50 + 200 ms, not 200 ms after its answer at ~200 ms.
    expect(lost[0]?.afterMs).toBeLessThan(HEARTBEAT_MS + LEASE_MS - MARGIN_MS + 60)
  })

  it('stop() does not wait for a renewal that hangs longer than heartbeatMs', async () => {
    const { heartbeat } = await running(() => new Promise<never>(() => {}))
    await sleep(HEARTBEAT_MS + 10)
    const t0 = performance.now()
    await heartbeat.stop()
    expect(performance.now() - t0).toBeLessThan(HEARTBEAT_MS + 40)
  })
})
