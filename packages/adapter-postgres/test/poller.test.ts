import './cjs-conditions.js'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { newJob } from '@mastervideo/core/testing'
import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { postgresPoller } from '../src/index.js'
import { uniqueApp, usePostgres } from './helpers.js'

const db = usePostgres()
// Long enough that only a notification (or a reconnect) can explain a wake-up.
const NEVER = 10 * 60_000

function counter() {
  const counts = { wakes: 0 }
  return { counts, wake: () => counts.wakes++ }
}

/** Waits until the poller woke for its initial LISTEN, then returns the count. */
async function listening(counts: { wakes: number }): Promise<number> {
  await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(0), { timeout: 10_000, interval: 10 })
  return counts.wakes
}

describe('postgresPoller', () => {
  it('wakes on create, manual retry and release, through NOTIFY', async () => {
    const repo = await db.repository()
    const { counts, wake } = counter()
    const stop = postgresPoller({ connectionString: db.url(), schema: repo.schema, intervalMs: NEVER }).start(
      wake,
    )
    let seen = await listening(counts)
    const next = async () => {
      await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(seen), { timeout: 10_000, interval: 5 })
      seen = counts.wakes
    }
    const { record } = await repo.create(newJob())
    await next()
    const claimed = await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 30_000 })
    await repo.release(claimed!.lease)
    await next()
    const again = await repo.claim({ workerId: 'w', leaseToken: newLeaseToken(), leaseMs: 30_000 })
    await repo.fail(again!.lease, { code: 'INPUT_INVALID', message: 'x' })
    await repo.retry(record.id)
    await next()
    stop()
    await repo.close()
  })

  it('ignores another schema’s jobs', async () => {
    const mine = await db.repository()
    const other = await db.repository()
    const { counts, wake } = counter()
    const stop = postgresPoller({ connectionString: db.url(), schema: mine.schema, intervalMs: NEVER }).start(
      wake,
    )
    const seen = await listening(counts)
    await other.create(newJob())
    // A marker job in our own schema: once its wake-up arrived, the other one would have too.
    await mine.create(newJob())
    await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(seen), { timeout: 10_000, interval: 5 })
    expect(counts.wakes).toBe(seen + 1)
    stop()
    await Promise.all([mine.close(), other.close()])
  })

  it('reconnects after its connection is killed, reports it, and hears notifications again', async () => {
    const repo = await db.repository()
    const app = uniqueApp()
    const { counts, wake } = counter()
    const errors: Error[] = []
    const stop = postgresPoller({
      connectionString: db.urlFor(app),
      schema: repo.schema,
      intervalMs: NEVER,
      onError: (error) => errors.push(error),
    }).start(wake)
    const seen = await listening(counts)
    expect(await db.terminate(app)).toBe(1)
    // The reconnect wakes once (for anything missed while away)...
    await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(seen), { timeout: 10_000, interval: 10 })
    expect(errors.length).toBeGreaterThan(0)
    // ...and notifications arrive on the new connection.
    const afterReconnect = counts.wakes
    await repo.create(newJob())
    await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(afterReconnect), {
      timeout: 10_000,
      interval: 5,
    })
    stop()
    await repo.close()
  })

  it('keeps waking on its interval while the database is unreachable, and stops when told', async () => {
    const { counts, wake } = counter()
    const errors: Error[] = []
    // Port 1 on loopback: every connection attempt is refused.
    const stop = postgresPoller({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      intervalMs: 20,
      onError: (error) => errors.push(error),
    }).start(wake)
    await vi.waitFor(() => expect(counts.wakes).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 })
    expect(errors.length).toBeGreaterThan(0)
    stop()
    const atStop = counts.wakes
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(counts.wakes).toBe(atStop)
  })

  it('borrows one client from a given pool and gives it back, without a subscription, on stop', async () => {
    const repo = await db.repository()
    const pool = new pg.Pool({ connectionString: db.url(), max: 1 })
    const { counts, wake } = counter()
    const stop = postgresPoller({ pool, schema: repo.schema, intervalMs: NEVER }).start(wake)
    const seen = await listening(counts)
    expect(pool.totalCount - pool.idleCount).toBe(1)
    await repo.create(newJob())
    await vi.waitFor(() => expect(counts.wakes).toBeGreaterThan(seen), { timeout: 10_000, interval: 5 })
    stop()
    await vi.waitFor(() => expect(pool.idleCount).toBe(1), { timeout: 10_000, interval: 10 })
    const client = await pool.connect()
    const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_listening_channels()')
    expect(rows[0].n).toBe(0)
    client.release()
    await pool.end()
    await repo.close()
  })
})
