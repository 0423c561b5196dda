import { UnsupportedError, ValidationError } from '../errors.js'
import { validateId } from '../record/validate.js'
import type { Repository } from '../repository/repository.js'
import type { MasterVideoStats, StatsOptions } from './stats.js'

/**
 * What `mv.stats()` does: validates the options, asks the repository, and
 * adds the outbox's delivery counts when the repository keeps one.
 * @throws `UNSUPPORTED` when the repository has no `stats` method, `VALIDATION` for bad options.
 */
export async function serviceStats(
  repository: Repository,
  options: StatsOptions = {},
): Promise<MasterVideoStats> {
  if (typeof repository.stats !== 'function') {
    throw new UnsupportedError('This repository cannot compute statistics (it has no stats method)', {
      details: { method: 'stats' },
    })
  }
  const { projectId, since } = options
  if (since !== undefined && !(since instanceof Date && Number.isFinite(since.getTime()))) {
    throw new ValidationError('since must be a valid date', { details: { field: 'since' } })
  }
  const checked: StatsOptions = {
    ...(projectId === undefined ? {} : { projectId: validateId(projectId, 'projectId') }),
    ...(since === undefined ? {} : { since }),
  }
  const outbox = repository.outbox
  const [stats, deliveries] = await Promise.all([
    repository.stats(checked),
    outbox ? outbox.counts(projectId === undefined ? {} : { projectId }) : null,
  ])
  return { ...stats, deliveries }
}
