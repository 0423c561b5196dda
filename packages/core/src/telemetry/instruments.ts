/** How an instrument aggregates, as OpenTelemetry names the kinds. */
export type InstrumentKind = 'counter' | 'histogram' | 'observable-gauge'

/** One metric mastervideo records: its name, kind, unit (UCUM) and meaning. */
export interface MetricDefinition {
  name: string
  kind: InstrumentKind
  unit: string
  description: string
  /** The attributes its points carry. */
  attributes: readonly string[]
  /** Histogram bucket boundaries, in `unit`. */
  buckets?: readonly number[]
}

// Seconds from a copy join (well under a second) to a long re-encode, and a day in the queue.
const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 86_400]
// From a small range request to a whole long master.
const BYTES = [1024, 16_384, 262_144, 1_048_576, 16_777_216, 134_217_728, 1_073_741_824, 8_589_934_592]

/**
 * Every metric core records, by its OpenTelemetry name. A Prometheus exporter
 * writes dots as underscores and counters with `_total`
 * (`mastervideo.jobs.created` is `mastervideo_jobs_created_total`).
 *
 * @example
 * ```ts
 * import { CORE_METRICS } from '@mastervideo/core'
 *
 * for (const m of CORE_METRICS) console.log(m.name, m.unit)
 * ```
 */
export const CORE_METRICS = [
  {
    name: 'mastervideo.jobs.created',
    kind: 'counter',
    unit: '{job}',
    description: 'Jobs stored by create (an idempotent repeat is not counted).',
    attributes: [],
  },
  {
    name: 'mastervideo.jobs.completed',
    kind: 'counter',
    unit: '{job}',
    description: 'Jobs a worker of this process completed.',
    attributes: ['mastervideo.strategy'],
  },
  {
    name: 'mastervideo.jobs.failed',
    kind: 'counter',
    unit: '{job}',
    description: 'Jobs a worker of this process failed for good, by error code.',
    attributes: ['error.type'],
  },
  {
    name: 'mastervideo.jobs.retried',
    kind: 'counter',
    unit: '{job}',
    description: 'Failed attempts sent back to the queue for another try, by error code.',
    attributes: ['error.type'],
  },
  {
    name: 'mastervideo.job.queue.duration',
    kind: 'histogram',
    unit: 's',
    description:
      'Time a job waited in the queue, from when it was due (runAt) to its claim; one per attempt.',
    attributes: [],
    buckets: SECONDS,
  },
  {
    name: 'mastervideo.job.processing.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time one attempt ran, from claim to its outcome, by outcome.',
    attributes: ['mastervideo.outcome'],
    buckets: SECONDS,
  },
  {
    name: 'mastervideo.job.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time from create to the final outcome (completed or failed), retries and waits included.',
    attributes: ['mastervideo.outcome'],
    buckets: SECONDS,
  },
  {
    name: 'mastervideo.media.encoded',
    kind: 'counter',
    unit: 's',
    description: 'Seconds of master video produced; its rate is media seconds per wall second, by strategy.',
    attributes: ['mastervideo.strategy'],
  },
  {
    name: 'mastervideo.queue.depth',
    kind: 'observable-gauge',
    unit: '{job}',
    description:
      'Jobs waiting (created) and running (processing), read from the repository at each collection.',
    attributes: ['mastervideo.job.status'],
  },
  {
    name: 'mastervideo.queue.oldest_age',
    kind: 'observable-gauge',
    unit: 's',
    description: 'Age of the oldest waiting job that is due; 0 when none waits.',
    attributes: [],
  },
  {
    name: 'mastervideo.worker.slots',
    kind: 'observable-gauge',
    unit: '{slot}',
    description: 'Job slots of the running workers of this process, busy or free.',
    attributes: ['mastervideo.slot.state'],
  },
] as const satisfies readonly MetricDefinition[]

/**
 * The metric `@mastervideo/http-hono` records (it is listed here so a
 * dashboard or a test has every name in one place).
 *
 * @example
 * ```ts
 * import { HTTP_METRICS } from '@mastervideo/core'
 *
 * console.log(HTTP_METRICS[0].name, HTTP_METRICS[0].unit) // mastervideo.http.response.body.size By
 * ```
 */
export const HTTP_METRICS = [
  {
    name: 'mastervideo.http.response.body.size',
    kind: 'histogram',
    unit: 'By',
    description:
      'Bytes of file answers (video, download, thumbnail, renditions, HLS) as their Content-Length, by media type and status.',
    attributes: ['http.response.status_code', 'mastervideo.file.type'],
    buckets: BYTES,
  },
] as const satisfies readonly MetricDefinition[]

/** The name of a metric core records. */
export type CoreMetricName = (typeof CORE_METRICS)[number]['name']
