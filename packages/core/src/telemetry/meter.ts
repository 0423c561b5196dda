import type { Counter, Histogram, Meter, MeterProvider, ObservableGauge } from '@opentelemetry/api'
import { CORE_METRICS, type MetricDefinition } from './instruments.js'
import { otel } from './otel-api.js'

/** The instrumentation scope of core's metrics. */
export const METER_NAME = '@mastervideo/core'

type Named<K extends MetricDefinition['kind']> = Extract<(typeof CORE_METRICS)[number], { kind: K }>['name']

/** The synchronous instruments, by name. */
export interface CoreInstruments {
  counters: Record<Named<'counter'>, Counter>
  histograms: Record<Named<'histogram'>, Histogram>
}

/** Reports observable values: called at each collection with a way to observe one gauge. */
export type GaugeObserver = (
  observe: (name: Named<'observable-gauge'>, value: number, attributes?: Record<string, string>) => void,
) => Promise<void> | void

const observers = new Set<GaugeObserver>()
let current: { provider: MeterProvider; instruments: CoreInstruments } | null = null

/**
 * Creates an instrument for each of `definitions` on `meter`; a histogram
 * gets its buckets as advice.
 */
export function createInstrument(
  meter: Meter,
  definition: MetricDefinition,
): Counter | Histogram | ObservableGauge {
  const options = { unit: definition.unit, description: definition.description }
  switch (definition.kind) {
    case 'counter':
      return meter.createCounter(definition.name, options)
    case 'histogram':
      return meter.createHistogram(definition.name, {
        ...options,
        ...(definition.buckets ? { advice: { explicitBucketBoundaries: [...definition.buckets] } } : {}),
      })
    case 'observable-gauge':
      return meter.createObservableGauge(definition.name, options)
  }
}

function build(meter: Meter): CoreInstruments {
  const counters = {} as Record<string, Counter>
  const histograms = {} as Record<string, Histogram>
  const gauges = new Map<string, ObservableGauge>()
  for (const definition of CORE_METRICS) {
    const instrument = createInstrument(meter, definition)
    if (definition.kind === 'counter') counters[definition.name] = instrument as Counter
    else if (definition.kind === 'histogram') histograms[definition.name] = instrument as Histogram
    else gauges.set(definition.name, instrument as ObservableGauge)
  }
  // One batch callback for every gauge: each observer (a queue, the workers) reads once per collection.
  meter.addBatchObservableCallback(
    async (result) => {
      const observe = (name: string, value: number, attributes?: Record<string, string>) => {
        const gauge = gauges.get(name)
        if (gauge) result.observe(gauge, value, attributes)
      }
      await Promise.all(
        [...observers].map(async (observer) => {
          try {
            await observer(observe)
          } catch {
            // A failed read leaves its gauges out of this collection; the next one tries again.
          }
        }),
      )
    },
    [...gauges.values()],
  )
  return { counters, histograms } as CoreInstruments
}

/**
 * Core's instruments on the global meter provider, or `null` without
 * `@opentelemetry/api`. The metrics API has no proxy provider, so they are
 * made again whenever the global provider changes: a host that registers its
 * SDK after creating the service still gets every metric.
 */
export function coreInstruments(): CoreInstruments | null {
  const api = otel()
  if (!api) return null
  const provider = api.metrics.getMeterProvider()
  if (current?.provider !== provider) {
    current = { provider, instruments: build(provider.getMeter(METER_NAME)) }
  }
  return current.instruments
}

/**
 * Adds an observer of core's gauges (read at each collection) and returns
 * the function that removes it.
 */
export function addGaugeObserver(observer: GaugeObserver): () => void {
  observers.add(observer)
  coreInstruments()
  return () => {
    observers.delete(observer)
  }
}

/** Records values of one histogram or counter; see {@link metricRecorder}. */
export interface MetricRecorder {
  record(value: number, attributes?: Record<string, string | number>): void
}

/**
 * A recorder of one metric (a `counter` or `histogram` definition) in the
 * instrumentation scope `scope`, made again when the global meter provider
 * changes, doing nothing without `@opentelemetry/api`: how another mastervideo
 * package records a metric of its own.
 *
 * @example
 * ```ts
 * import { HTTP_METRICS } from '@mastervideo/core'
 * import { metricRecorder } from '@mastervideo/core/adapter'
 *
 * const bytes = metricRecorder(HTTP_METRICS[0], '@mastervideo/http-hono')
 * bytes.record(1024, { 'http.response.status_code': 200, 'mastervideo.file.type': 'video/mp4' })
 * ```
 */
export function metricRecorder(definition: MetricDefinition, scope: string): MetricRecorder {
  let made: { provider: MeterProvider; instrument: Counter | Histogram } | null = null
  return {
    record(value, attributes) {
      const api = otel()
      if (!api) return
      const provider = api.metrics.getMeterProvider()
      if (made?.provider !== provider) {
        made = {
          provider,
          instrument: createInstrument(provider.getMeter(scope), definition) as Counter | Histogram,
        }
      }
      const { instrument } = made
      if ('record' in instrument) instrument.record(value, attributes)
      else instrument.add(value, attributes)
    },
  }
}
