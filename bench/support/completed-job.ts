// The serving benches need one completed job whose output is a file already
// in the store; running a transcode for it would measure the wrong thing.
import type { OutputStore, Repository } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'

/**
 * Creates job `id` of `projectId` in `repository`, claims it and completes it
 * with `key` (a file already in `output`) as its video, the way a worker
 * would record it.
 *
 * @example
 * ```ts
 * await completeJobByHand(repository, localOutputStore(dir), { id: 'master_1_benchmark', projectId: 'p1', key })
 * ```
 */
export async function completeJobByHand(
  repository: Repository,
  output: OutputStore,
  job: { id: string; projectId: string; key: string },
): Promise<void> {
  await repository.create({
    id: job.id,
    projectId: job.projectId,
    name: 'bench',
    shots: [{ assetId: 'a' }],
    maxAttempts: 1,
    encoding: {},
    idempotencyKey: null,
    runAt: new Date(0),
  })
  const claimed = await repository.claim({ workerId: 'bench', leaseToken: newLeaseToken(), leaseMs: 60_000 })
  if (!claimed) throw new Error(`no job to claim for ${job.id}`)
  const stat = await output.stat(job.key)
  if (!stat) throw new Error(`${job.key} is not in the store`)
  await repository.complete(claimed.lease, {
    output: { key: job.key, size: stat.size, durationSec: 1, width: 2, height: 2, strategy: 'copy' },
    thumbnailKey: null,
  })
}
