import type { Poller } from '@mastervideo/core'
import pg from 'pg'
import { channelName, invalidOption, validateSchemaName } from './errors.js'
import type { PgListenClient, PgPool } from './pg-types.js'

/** Options of {@link postgresPoller}. */
export type PostgresPollerOptions = ({ pool: PgPool } | { connectionString: string }) & {
  /** The repository's schema; its jobs notify the channel `mastervideo_<schema>`. Default `mastervideo`. */
  schema?: string
  /**
   * The fallback: the worker is also woken this often, so delayed retries,
   * expired leases and anything a lost notification missed are still picked
   * up. Default 5000.
   */
  intervalMs?: number
  /** Longest pause between reconnection attempts. Default 5000. */
  maxReconnectDelayMs?: number
  /** Told about each lost or failed listening connection (the poller keeps trying on its own). */
  onError?: (error: Error) => void
  /**
   * How long, in ms, the listening connection may take to answer: it is
   * probed with `SELECT 1` every `intervalMs`, and one that does not answer
   * in time (a partition, a dead server) is dropped and opened again, so
   * notifications resume once the network heals. Default 15000.
   */
  queryTimeoutMs?: number
  /** How long opening the listening connection may take, in ms (with `connectionString`). Default 5000. */
  connectionTimeoutMs?: number
  /** Idle time in ms before TCP keepalive probes start on the listening connection (with `connectionString`). Default 10000. */
  keepAliveInitialDelayMs?: number
}

/**
 * A {@link Poller} that wakes the worker the moment another machine creates,
 * retries or releases a job: it holds one connection that `LISTEN`s on the
 * schema's channel, which the repository's writes `NOTIFY` in their own
 * transaction. When that connection drops it reconnects with exponential
 * backoff (and wakes the worker once reconnected, for anything it missed);
 * meanwhile, and always, an interval wakes the worker so nothing waits forever.
 *
 * It needs a session-level connection: point it at PostgreSQL directly, not
 * through a transaction-pooling proxy (PgBouncer in `transaction` mode drops
 * `LISTEN`). With `{ pool }` it checks one client out of your pool for as
 * long as it runs.
 *
 * @example
 * ```ts
 * import { postgresPoller } from '@mastervideo/adapter-postgres'
 * import type { MasterVideos } from '@mastervideo/core'
 *
 * declare const mv: MasterVideos
 * const poller = postgresPoller({ connectionString: 'postgres://app@db.internal/app', schema: 'mastervideo' })
 * const worker = mv.worker({ concurrency: 2, poller }).start()
 * ```
 */
export function postgresPoller(options: PostgresPollerOptions): Poller {
  const schema = validateSchemaName(options.schema ?? 'mastervideo')
  const channel = channelName(schema)
  const intervalMs = options.intervalMs ?? 5000
  const maxDelay = options.maxReconnectDelayMs ?? 5000
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw invalidOption(`postgresPoller needs a positive intervalMs, got ${intervalMs}`, {
      details: { field: 'intervalMs' },
    })
  }

  const queryTimeoutMs = options.queryTimeoutMs ?? 15_000

  async function connect(): Promise<PgListenClient> {
    if ('pool' in options) return (await options.pool.connect()) as PgListenClient
    const client = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      keepAliveInitialDelayMillis: options.keepAliveInitialDelayMs ?? 10_000,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    })
    await client.connect()
    // A dedicated client is ended, not returned to a pool.
    return Object.assign(client, { release: () => void client.end().catch(() => {}) })
  }

  return {
    start(wake) {
      let stopped = false
      let stop: () => void = () => {}
      const stopping = new Promise<void>((resolve) => {
        stop = resolve
      })
      const timer = setInterval(() => {
        if (!stopped) wake()
      }, intervalMs)
      const report = (error: unknown) => {
        if (!stopped) options.onError?.(error instanceof Error ? error : new Error(String(error)))
      }

      // One listening session: resolves when the connection is lost (with the
      // error) or the poller stops (with null), having given the client back.
      const session = async (): Promise<Error | null> => {
        const client = await connect()
        let lost: (error: Error) => void = () => {}
        const broken = new Promise<Error>((resolve) => {
          lost = resolve
        })
        const onError = (error: Error) => lost(error)
        const onEnd = () => lost(new Error('listening connection ended'))
        const onNotification = (message: { channel: string }) => {
          if (!stopped && message.channel === channel) wake()
        }
        client.on('error', onError)
        client.on('end', onEnd)
        client.on('notification', onNotification)
        // A silent connection looks exactly like a quiet queue: probe it, so
        // a partition ends this session instead of leaving it deaf.
        let probing = false
        const probe = setInterval(() => {
          if (probing) return
          probing = true
          client
            .query({ text: 'SELECT 1', query_timeout: queryTimeoutMs })
            .then(
              () => {},
              (error: unknown) => lost(error instanceof Error ? error : new Error(String(error))),
            )
            .finally(() => {
              probing = false
            })
        }, intervalMs)
        probe.unref?.()
        let outcome: Error | null = null
        try {
          if (!stopped) {
            await client.query({ text: `LISTEN ${channel}`, query_timeout: queryTimeoutMs })
            // Jobs may have arrived while we were not listening.
            if (!stopped) wake()
            outcome = await Promise.race([broken, stopping.then(() => null)])
          }
        } catch (error) {
          outcome = error instanceof Error ? error : new Error(String(error))
        }
        clearInterval(probe)
        client.removeListener('notification', onNotification)
        if (outcome) {
          // Keep a listener: a broken socket may still emit errors after release.
          client.removeListener('end', onEnd)
          client.release(outcome)
        } else {
          try {
            await client.query({ text: 'UNLISTEN *', query_timeout: queryTimeoutMs })
            client.release()
          } catch (error) {
            client.release(error instanceof Error ? error : true)
          }
          client.removeListener('error', onError)
          client.removeListener('end', onEnd)
        }
        return outcome
      }

      const listen = async () => {
        for (let failures = 0; !stopped; ) {
          let lostAfterListening = false
          try {
            const error = await session()
            if (!error) return
            lostAfterListening = true
            report(error)
          } catch (error) {
            report(error)
          }
          failures = lostAfterListening ? 0 : failures + 1
          // Exponential backoff with jitter: about 100 ms, 200 ms, ... up to maxDelay.
          const delay = Math.min(maxDelay, 100 * 2 ** Math.min(failures, 16)) * (0.5 + Math.random() / 2)
          await Promise.race([new Promise((resolve) => setTimeout(resolve, delay).unref()), stopping])
        }
      }
      void listen()

      return () => {
        stopped = true
        clearInterval(timer)
        stop()
      }
    },
  }
}
