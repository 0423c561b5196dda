// A TCP proxy between PostgreSQL clients and the server that misbehaves on
// request, the way a network does: it resets connections (both ends see
// ECONNRESET), blackholes traffic for a while (a partition: bytes stop in both
// directions, nothing fails, queries hang), and can let one client statement
// through and cut the connection before the server's reply reaches the client
// (the write committed, the client never hears of it). Used by the fault tests
// and the soak script; it runs in-process or as its own process.
import { createServer, type Server, type Socket } from 'node:net'

/** One proxied connection. */
interface Link {
  client: Socket
  server: Socket
  /** Bytes held during a partition, per direction, delivered when it heals (TCP retransmits). */
  toServer: Buffer[]
  toClient: Buffer[]
  /** Set when the next server bytes must be dropped and the link cut. */
  cutReply: boolean
  closed: boolean
  timer: NodeJS.Timeout | null
}

/** Faults injected so far, by kind. */
export interface FaultCounts {
  resets: number
  partitions: number
  cutReplies: number
}

/** Random faults, started by {@link FaultProxy.chaos}. */
export interface ChaosOptions {
  /** Each connection is reset after a random lifetime in this range, in ms. */
  resetAfterMs?: [number, number]
  /** A partition starts after a random pause in this range, in ms... */
  partitionEveryMs?: [number, number]
  /** ...and lasts a random time in this range, in ms. */
  partitionMs?: [number, number]
}

export interface FaultProxy {
  port: number
  /** `upstream` with host and port replaced by the proxy's. */
  url(upstream: string): string
  counts: FaultCounts
  /** Resets every open connection now; returns how many. */
  resetAll(): number
  /** Blackholes every connection (open and new) for `ms`; resolves when it heals. */
  partition(ms: number): Promise<void>
  /**
   * The next client write that `match` accepts is delivered to the server,
   * and the connection is cut at the first byte of the answer: the statement
   * runs (and commits), its reply is lost. Resolves once it happened.
   */
  cutReplyAfter(match: (chunk: Buffer) => boolean): Promise<void>
  /** Starts random faults until {@link FaultProxy.calm}. Partition times are reported to `onHeal`. */
  chaos(options: ChaosOptions, onHeal?: (startedAt: number, healedAt: number) => void): void
  calm(): void
  close(): Promise<void>
}

const between = ([low, high]: [number, number]) => low + Math.random() * (high - low)

/** Starts a proxy on a free port of 127.0.0.1 in front of `target`. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const links = new Set<Link>()
  const counts: FaultCounts = { resets: 0, partitions: 0, cutReplies: 0 }
  let partitioned = false
  let chaos: ChaosOptions | null = null
  let partitionTimer: NodeJS.Timeout | null = null
  const cutWaiters: Array<{ match: (chunk: Buffer) => boolean; done: () => void }> = []

  const close = (link: Link, reset: boolean) => {
    if (link.closed) return
    link.closed = true
    if (link.timer) clearTimeout(link.timer)
    links.delete(link)
    if (reset) {
      link.client.resetAndDestroy()
      link.server.resetAndDestroy()
    } else {
      link.client.destroy()
      link.server.destroy()
    }
  }

  const scheduleReset = (link: Link) => {
    if (!chaos?.resetAfterMs || link.closed) return
    link.timer = setTimeout(() => {
      counts.resets++
      close(link, true)
    }, between(chaos.resetAfterMs))
  }

  const server: Server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)()
    const link: Link = {
      client,
      server: upstream,
      toServer: [],
      toClient: [],
      cutReply: false,
      closed: false,
      timer: null,
    }
    links.add(link)
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    upstream.connect(target.port, target.host)
    client.on('data', (chunk: Buffer) => {
      if (link.closed) return
      const waiter = cutWaiters.find((w) => w.match(chunk))
      if (waiter) {
        cutWaiters.splice(cutWaiters.indexOf(waiter), 1)
        link.cutReply = true
        upstream.once('data', () => waiter.done())
      }
      if (partitioned) link.toServer.push(chunk)
      else upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (link.closed) return
      if (link.cutReply) {
        // The server answered (the statement ran): the answer is lost with the connection.
        counts.cutReplies++
        close(link, true)
        return
      }
      if (partitioned) link.toClient.push(chunk)
      else client.write(chunk)
    })
    // A side that closes ends the link; during a partition the other side
    // would only learn of it later, which a reset models well enough.
    client.on('close', () => close(link, false))
    upstream.on('close', () => close(link, false))
    client.on('error', () => close(link, true))
    upstream.on('error', () => close(link, true))
    scheduleReset(link)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('proxy has no port')
  const port = address.port

  const heal = () => {
    partitioned = false
    for (const link of links) {
      for (const chunk of link.toServer.splice(0)) link.server.write(chunk)
      for (const chunk of link.toClient.splice(0)) link.client.write(chunk)
    }
  }

  const partition = (ms: number): Promise<void> => {
    counts.partitions++
    partitioned = true
    return new Promise((resolve) =>
      setTimeout(() => {
        heal()
        resolve()
      }, ms),
    )
  }

  const proxy: FaultProxy = {
    port,
    url(upstream) {
      const u = new URL(upstream)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.toString()
    },
    counts,
    resetAll() {
      let n = 0
      for (const link of [...links]) {
        close(link, true)
        n++
      }
      counts.resets += n
      return n
    },
    partition,
    cutReplyAfter(match) {
      return new Promise((done) => cutWaiters.push({ match, done }))
    },
    chaos(options, onHeal) {
      chaos = options
      for (const link of links) if (!link.timer) scheduleReset(link)
      const { partitionEveryMs, partitionMs } = options
      if (!partitionEveryMs || !partitionMs) return
      const next = () => {
        partitionTimer = setTimeout(async () => {
          const startedAt = Date.now()
          await partition(between(partitionMs))
          onHeal?.(startedAt, Date.now())
          if (chaos) next()
        }, between(partitionEveryMs))
      }
      next()
    },
    calm() {
      chaos = null
      if (partitionTimer) clearTimeout(partitionTimer)
      for (const link of links) {
        if (link.timer) clearTimeout(link.timer)
        link.timer = null
      }
      if (partitioned) heal()
    },
    async close() {
      proxy.calm()
      for (const link of [...links]) close(link, false)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return proxy
}

/** Host and port of a `postgres://` URL. */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port || 5432) }
}
