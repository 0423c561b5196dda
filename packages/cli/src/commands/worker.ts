import { mkdir } from 'node:fs/promises'
import { sqlitePoller } from '@mastervideo/adapter-sqlite'
import { dataPaths, standaloneService } from '../config.js'
import { consoleLogger } from '../console-logger.js'
import { startMetricsServer } from '../metrics/metrics-server.js'
import { serviceMetrics } from '../metrics/service-metrics.js'
import { webhookSettings } from '../webhook-config.js'

/** Options of `mastervideo worker`. */
export interface WorkerCommandOptions {
  data?: string
  concurrency?: number
  pollInterval?: number
  grace?: number
  /** Serve Prometheus text at `http://<metricsHost>:<port>/metrics`; absent: no metrics. */
  metricsPort?: number
  /** Interface of the metrics listener. Default `127.0.0.1`. */
  metricsHost?: string
}

/**
 * `mastervideo worker`: a worker process for PM2 or systemd. On SIGTERM or
 * SIGINT it stops claiming, lets running jobs finish within the grace period,
 * releases the rest back to `created`, and exits 0. ffmpeg runs in its own
 * process group, so Ctrl-C or a signal to this process's group (PM2, a
 * shell) reaches only the worker, which stops ffmpeg itself. systemd's
 * `KillMode=control-group` signals every process of the unit, ffmpeg
 * included: the job is then released, but its work is lost, so units use
 * `KillMode=mixed`.
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const logger = consoleLogger()
  const paths = dataPaths(options.data)
  await mkdir(paths.root, { recursive: true })
  const mv = standaloneService(paths, logger)
  const metrics =
    options.metricsPort === undefined ? null : serviceMetrics(mv, 'mastervideo-worker', paths.assets)
  const metricsServer = metrics
    ? await startMetricsServer(metrics, {
        host: options.metricsHost ?? '127.0.0.1',
        port: options.metricsPort ?? 0,
      })
    : null
  const worker = mv
    .worker({
      concurrency: options.concurrency ?? 1,
      poller: sqlitePoller({ filename: paths.database, intervalMs: options.pollInterval ?? 1000 }),
      graceMs: options.grace ?? 30_000,
      webhooks: webhookSettings(),
    })
    .start()
  logger.info(
    { workerId: worker.id, data: paths.root, metrics: metricsServer?.url },
    'mastervideo worker ready',
  )
  await new Promise<void>((resolve) => {
    // `on`, not `once`: the handler stays while we shut down, so a second
    // signal is not taken as the default "terminate now".
    const shutdown = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'mastervideo worker shutting down')
      resolve()
    }
    process.on('SIGTERM', shutdown)
    process.on('SIGINT', shutdown)
  })
  await mv.close()
  await metricsServer?.close()
  await metrics?.close()
}
