import { type MasterVideos, observeQueue } from '@mastervideo/core'
import { projectFolders } from './project-folders.js'
import { prometheusMetrics } from './prometheus-metrics.js'

/** The metrics of one standalone process: Prometheus text, and how to stop. */
export interface ServiceMetrics {
  /** The Prometheus text of every metric of this process. */
  text(): Promise<string>
  close(): Promise<void>
}

/**
 * Registers the Prometheus meter provider for this process and the queue
 * gauges of `mv`'s repository (the oldest job is looked for in the project
 * folders under `assetsRoot`): what `mastervideo serve` and
 * `mastervideo worker --metrics-port` expose at `/metrics`.
 *
 * @example
 * ```ts
 * const metrics = serviceMetrics(mv, 'mastervideo-worker', paths.assets)
 * console.log(await metrics.text())
 * ```
 */
export function serviceMetrics(mv: MasterVideos, serviceName: string, assetsRoot: string): ServiceMetrics {
  const prometheus = prometheusMetrics(serviceName)
  const stopQueue = observeQueue(mv.repository, { projectIds: () => projectFolders(assetsRoot) })
  return {
    text: () => prometheus.text(),
    async close() {
      stopQueue()
      await prometheus.shutdown()
    },
  }
}
