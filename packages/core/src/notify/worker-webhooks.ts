import type { Repository } from '../repository/repository.js'
import type { Logger } from '../support/logger.js'
import {
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  webhookDispatcher,
} from './webhook-dispatcher.js'

/** What a worker's `webhooks` option holds: the dispatcher's options without the outbox, which is the repository's. */
export type WorkerWebhookOptions = Omit<WebhookDispatcherOptions, 'outbox'>

/**
 * Starts delivering the repository's webhook outbox beside a worker, or
 * returns null when there is nothing to deliver: no endpoints configured, or
 * a repository without an outbox (it is logged; that host keeps webhooks
 * from `webhookNotifier()` on the service's in-process events).
 */
export function startWorkerWebhooks(
  repository: Repository,
  options: WorkerWebhookOptions | undefined,
  logger: Logger,
): WebhookDispatcher | null {
  if (!options || options.endpoints.length === 0) return null
  if (!repository.outbox) {
    logger.warn(
      {},
      'mastervideo webhooks: this repository keeps no outbox; use webhookNotifier() on the service',
    )
    return null
  }
  return webhookDispatcher({ logger, ...options, outbox: repository.outbox }).start()
}
