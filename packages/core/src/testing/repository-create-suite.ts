import { describe, expect, it } from 'vitest'
import { newJob, type RepositoryConformanceOptions, suiteTitle, useRepository } from './repository-suite.js'

/**
 * Registers the tests of `create` and `get`: a new job is stored in status
 * `created` with every field, is due at once without `runAt` (by the
 * repository's clock), and one idempotency key per project yields one job,
 * even under concurrent creates.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryCreateConformance } from '@mastervideo/core/testing'
 *
 * repositoryCreateConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryCreateConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('create', options), () => {
    const t = useRepository(options)

    it('stores a created job and returns it by id, with every field', async () => {
      const input = newJob({ encoding: { strategy: 'reencode', crf: 20 } })
      const { record, created } = await t.repository.create(input)
      expect(created).toBe(true)
      expect(record).toMatchObject({
        id: input.id,
        projectId: input.projectId,
        name: input.name,
        shots: input.shots,
        status: 'created',
        progress: 0,
        attempts: 0,
        maxAttempts: 3,
        leaseOwner: null,
        leaseToken: null,
        leaseExpiresAt: null,
        error: null,
        output: null,
        thumbnailKey: null,
        encoding: { strategy: 'reencode', crf: 20 },
        idempotencyKey: null,
        startedAt: null,
        completedAt: null,
      })
      expect(record.createdAt).toBeInstanceOf(Date)
      expect(record.runAt.getTime()).toBe((input.runAt as Date).getTime())
      expect(await t.repository.get(input.id)).toEqual(record)
      expect((await t.stored(input.id))?.status).toBe('created')
    })

    it('without runAt, the job is due at once, by the repository clock', async () => {
      const { runAt: _omitted, ...input } = newJob()
      const { record } = await t.repository.create(input)
      expect(record.runAt.getTime()).toBe(record.createdAt.getTime())
      expect((await t.claimOne()).record.id).toBe(input.id)
    })

    it('returns null for an unknown id', async () => {
      expect(await t.repository.get('master_0_unknown0')).toBeNull()
    })

    it('returns the existing job for a repeated idempotency key in the same project', async () => {
      const first = await t.repository.create(newJob({ idempotencyKey: 'key-1' }))
      const second = await t.repository.create(newJob({ idempotencyKey: 'key-1', name: 'other' }))
      expect(second.created).toBe(false)
      expect(second.record.id).toBe(first.record.id)
      expect(second.record.name).toBe('master')
      const other = await t.repository.create(newJob({ idempotencyKey: 'key-1', projectId: 'project-2' }))
      expect(other.created).toBe(true)
    })

    it('creates one job for concurrent creates with one idempotency key', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.repository.create(newJob({ idempotencyKey: 'same' }))),
      )
      expect(new Set(results.map((r) => r.record.id)).size).toBe(1)
      expect(results.filter((r) => r.created)).toHaveLength(1)
    })
  })
}
