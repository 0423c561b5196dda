/** Options of {@link deliveryLedger}. */
export interface DeliveryLedgerOptions {
  /** How long a delivered id is remembered. Default 24 h: longer than any sender's retries. */
  ttlMs?: number
  /** Ids kept at most; the oldest go first. Default 10 000. */
  maxIds?: number
}

/** Which channels already have each `webhook-id`. */
export interface DeliveryLedger {
  /** The channels that already got this id (empty when it is new). */
  done(id: string): ReadonlySet<string>
  /** Records that `channel` got `id`. */
  mark(id: string, channel: string): void
  /**
   * Runs `work` for `id` after any earlier run for the same id finished, so
   * two copies of one delivery arriving together cannot both forward.
   */
  serialize<T>(id: string, work: () => Promise<T>): Promise<T>
}

/**
 * Remembers, per `webhook-id`, the channels a delivery reached. Deliveries are
 * at least once: the sender retries after a timeout or a 5xx even when the
 * first try got through, so a repeat skips the channels it already reached and
 * a partly failed delivery retries only the rest. In memory: a restarted relay
 * forgets, and may forward a repeat once more.
 *
 * @example
 * ```ts
 * const ledger = deliveryLedger()
 * if (!ledger.done('msg_1').has('telegram')) ledger.mark('msg_1', 'telegram')
 * ```
 */
export function deliveryLedger(options: DeliveryLedgerOptions = {}): DeliveryLedger {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60_000
  const maxIds = options.maxIds ?? 10_000
  // Map keeps insertion order: the first entries are the oldest.
  const entries = new Map<string, { channels: Set<string>; at: number }>()
  const running = new Map<string, Promise<unknown>>()

  const prune = () => {
    const now = Date.now()
    for (const [id, entry] of entries) {
      if (entries.size <= maxIds && now - entry.at < ttlMs) break
      entries.delete(id)
    }
  }

  return {
    done(id) {
      prune()
      return entries.get(id)?.channels ?? new Set()
    },
    mark(id, channel) {
      const entry = entries.get(id) ?? { channels: new Set<string>(), at: Date.now() }
      entry.channels.add(channel)
      entries.set(id, entry)
      prune()
    },
    serialize(id, work) {
      const previous = running.get(id) ?? Promise.resolve()
      const next = previous.catch(() => {}).then(work)
      running.set(id, next)
      const forget = () => {
        if (running.get(id) === next) running.delete(id)
      }
      next.then(forget, forget)
      return next
    },
  }
}
