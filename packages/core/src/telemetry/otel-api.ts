import { createRequire } from 'node:module'
import type * as OtelApi from '@opentelemetry/api'

/** The `@opentelemetry/api` module, as this package loads it. */
export type Otel = typeof OtelApi

let loaded: Otel | null | undefined

/**
 * `@opentelemetry/api` when the host installed it, otherwise `null`.
 *
 * It is an optional peer: a static import would throw for a host that never
 * installed it, so it is required once, lazily, and every telemetry helper
 * does nothing when it is absent. Several copies of the API share their
 * providers through a global, so the host's SDK sees what this one records.
 */
export function otel(): Otel | null {
  if (loaded === undefined) {
    try {
      // The CommonJS build has __filename; the ES build has import.meta.url.
      const from = typeof __filename === 'string' ? __filename : import.meta.url
      loaded = createRequire(from)('@opentelemetry/api') as Otel
    } catch {
      loaded = null
    }
  }
  return loaded
}
