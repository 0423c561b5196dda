import { metrics } from '@opentelemetry/api'
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

/** The `Content-Type` of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** A meter provider whose metrics are read as Prometheus text on demand. */
export interface PrometheusMetrics {
  /** Whether this provider became the global one (false: the process had one already). */
  readonly global: boolean
  /** Collects every metric now and writes it as Prometheus text. */
  text(): Promise<string>
  /** Stops the provider and, when it was the global one, unregisters it. */
  shutdown(): Promise<void>
}

/**
 * Registers an OpenTelemetry meter provider whose only reader is the
 * Prometheus exporter (without its own server: the caller serves
 * {@link PrometheusMetrics.text} at `/metrics`), so everything core and the
 * routes record through `@opentelemetry/api` is scraped. `serviceName` names
 * the process in `target_info`.
 *
 * @example
 * ```ts
 * const prometheus = prometheusMetrics('mastervideo-worker')
 * console.log(await prometheus.text())
 * ```
 */
export function prometheusMetrics(serviceName: string): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [exporter],
  })
  const global = metrics.setGlobalMeterProvider(provider)
  const serializer = new PrometheusSerializer()
  return {
    global,
    async text() {
      const { resourceMetrics } = await exporter.collect()
      return serializer.serialize(resourceMetrics)
    },
    async shutdown() {
      if (global) metrics.disable()
      await provider.shutdown()
    },
  }
}
