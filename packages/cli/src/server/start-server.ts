import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { sqlitePoller } from '@mastervideo/adapter-sqlite'
import type { Logger, MasterVideos, Worker } from '@mastervideo/core'
import { dataPaths, standaloneService } from '../config.js'
import { consoleLogger } from '../console-logger.js'
import { serviceMetrics } from '../metrics/service-metrics.js'
import { deliverySetting, s3Settings } from '../s3-config.js'
import { webhookSettings } from '../webhook-config.js'
import { ensureDemoProject } from './demo-project.js'
import { standaloneApp } from './standalone-app.js'

/** Options of {@link startServer}; each also has an environment variable. */
export interface ServeOptions {
  /** Default `./data` (`MASTERVIDEO_DATA`). */
  dataDir?: string
  /** Default `127.0.0.1` (`HOST`). */
  host?: string
  /** Default 3000 (`PORT`); 0 picks a free port. */
  port?: number
  /** Run a worker in this process. Default true; false when workers run as `mastervideo worker`. */
  worker?: boolean
  /** Jobs the in-process worker runs at once. Default 1. */
  concurrency?: number
  /** Generate the demo project on first run. Default true. */
  demo?: boolean
  /** How often the worker looks for jobs made by other processes. Default 1000 ms. */
  pollIntervalMs?: number
  /**
   * `/video` and `/download` through Node (`proxy`) or as a 302 to a presigned
   * URL (`redirect`, with `MASTERVIDEO_S3_BUCKET` set). Default `proxy` (`MASTERVIDEO_DELIVERY`).
   */
  delivery?: 'proxy' | 'redirect'
  /** Serve Prometheus metrics at `/metrics` (registers the process's OpenTelemetry meter provider). Default true. */
  metrics?: boolean
  logger?: Logger
}

/** A running standalone server. */
export interface RunningServer {
  url: string
  mv: MasterVideos
  worker: Worker | null
  /** Stops accepting requests, stops the worker gracefully (releasing unfinished jobs), closes the database. */
  close(options?: { graceMs?: number }): Promise<void>
}

/**
 * Starts the standalone server: SQLite in the data folder, the bundled
 * ffmpeg, a worker in the same process, the dashboard at `/` and the API
 * under `/api/projects`. What `npm start` and `mastervideo serve` run.
 *
 * @example
 * ```ts
 * import { startServer } from 'mastervideo'
 *
 * const server = await startServer({ port: 3000 })
 * console.log(`open ${server.url}`)
 * process.once('SIGTERM', () => void server.close())
 * ```
 */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? consoleLogger()
  const paths = dataPaths(options.dataDir)
  await mkdir(paths.root, { recursive: true })
  if (options.demo ?? true) {
    if (await ensureDemoProject(paths.assets, (await resolveBinaries({})).ffmpeg)) {
      logger.info({ folder: paths.assets }, 'mastervideo generated the demo project')
    }
  }
  const s3 = s3Settings()
  const mv = standaloneService(paths, logger, s3)
  const metrics = options.metrics === false ? null : serviceMetrics(mv, 'mastervideo-server', paths.assets)
  const runWorker = options.worker ?? true
  const concurrency = options.concurrency ?? 1
  const worker = runWorker
    ? mv
        .worker({
          concurrency,
          poller: sqlitePoller({ filename: paths.database, intervalMs: options.pollIntervalMs }),
          webhooks: webhookSettings(),
        })
        .start()
    : null

  const app = standaloneApp({
    mv,
    transcoder: mv.transcoder,
    assetsRoot: paths.assets,
    cacheDir: paths.cache,
    logger,
    delivery: options.delivery ?? deliverySetting(),
    health: () => ({ worker: worker ? { id: worker.id, running: worker.running, concurrency } : null }),
    ...(metrics ? { metrics: metrics.text } : {}),
  })
  const host = options.host ?? process.env.HOST ?? '127.0.0.1'
  const port = options.port ?? Number(process.env.PORT ?? 3000)
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s))
    s.once('error', reject)
  })
  const address = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`
  logger.info(
    { url, data: paths.root, worker: runWorker, ...(s3 ? { bucket: s3.bucket, prefix: s3.prefix } : {}) },
    `mastervideo dashboard: open ${url}`,
  )

  let closing: Promise<void> | null = null
  return {
    url,
    mv,
    worker,
    close(closeOptions) {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Server-sent event streams would hold the server open: end them.
          ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
        })
        await mv.close(closeOptions)
        await metrics?.close()
      })()
      return closing
    },
  }
}
