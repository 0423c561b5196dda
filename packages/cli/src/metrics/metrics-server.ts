import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-metrics.js'

/** A running `/metrics` listener. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string
  close(): Promise<void>
}

/**
 * Serves `GET /metrics` (Prometheus text) on its own port, for processes with
 * no HTTP server of their own (`mastervideo worker --metrics-port`). Any other
 * path is 404. Bind it to a private interface: the figures name no job but
 * describe the system.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer(prometheusMetrics('mastervideo-worker'), { host: '127.0.0.1', port: 9464 })
 * console.log(server.url)
 * ```
 */
export async function startMetricsServer(
  source: { text(): Promise<string> },
  options: { host: string; port: number },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n')
      return
    }
    source.text().then(
      (text) => {
        response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' })
        response.end(request.method === 'HEAD' ? undefined : text)
      },
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics collection failed\n'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
