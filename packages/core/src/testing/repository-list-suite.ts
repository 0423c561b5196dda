import { describe, expect, it } from 'vitest'
import type { MasterVideo } from '../record/master-video.js'
import type { ListOptions, Repository } from '../repository/repository.js'
import { expectCode, sleep } from './expect-code.js'
import { newJob, type RepositoryConformanceOptions, suiteTitle, useRepository } from './repository-suite.js'

/** Every id of one listing from `options.cursor` on, following `nextCursor` to the end (at most 100 pages). */
async function listAll(
  repository: Repository,
  options: ListOptions,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = []
  let cursor = options.cursor ?? null
  let pages = 0
  do {
    const page = await repository.list({ ...options, cursor })
    expect(page.items.length).toBeLessThanOrEqual(options.limit ?? 20)
    ids.push(...page.items.map((r: MasterVideo) => r.id))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 100)
  return { ids, pages }
}

/**
 * Registers the tests of `list`: one project's jobs newest first, each
 * exactly once across pages (ties on `createdAt` broken by id, jobs created
 * while paging neither repeated nor skipping older ones), the status filter,
 * the page size clamped to 1..100, and refusal of a cursor it did not make.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryListConformance } from '@mastervideo/core/testing'
 *
 * repositoryListConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryListConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('list', options), () => {
    const t = useRepository(options)

    it('pages newest first, every job exactly once, with a status filter', async () => {
      const ids: string[] = []
      for (let i = 0; i < 7; i++) {
        ids.push((await t.repository.create(newJob({ name: `n${i}` }))).record.id)
        await sleep(2)
      }
      await t.repository.create(newJob({ projectId: 'elsewhere' }))
      const { ids: seen, pages } = await listAll(t.repository, { projectId: 'project-1', limit: 3 })
      expect(seen).toEqual([...ids].reverse())
      expect(pages).toBe(3)

      await t.repository.cancel(ids[2] as string)
      const canceled = await t.repository.list({ projectId: 'project-1', status: 'canceled' })
      expect(canceled.items.map((r) => r.id)).toEqual([ids[2]])
      expect(canceled.nextCursor).toBeNull()
    })

    it('orders jobs created in the same millisecond by id, without skipping any', async () => {
      for (let i = 0; i < 5; i++) await t.repository.create(newJob({ id: `master_1_same000${i}` }))
      const { ids } = await listAll(t.repository, { projectId: 'project-1', limit: 2 })
      expect(new Set(ids).size).toBe(5)
      expect(ids.length).toBe(5)
    })

    it('jobs created while paging do not repeat or hide older ones', async () => {
      const older: string[] = []
      for (let i = 0; i < 5; i++) {
        older.push((await t.repository.create(newJob())).record.id)
        await sleep(2)
      }
      const first = await t.repository.list({ projectId: 'project-1', limit: 2 })
      await t.repository.create(newJob())
      await t.repository.create(newJob())
      const rest = await listAll(t.repository, { projectId: 'project-1', limit: 2, cursor: first.nextCursor })
      expect([...first.items.map((r) => r.id), ...rest.ids]).toEqual([...older].reverse())
    })

    it('clamps the page size to 1..100', async () => {
      for (let i = 0; i < 3; i++) await t.repository.create(newJob())
      expect((await t.repository.list({ projectId: 'project-1', limit: 0 })).items).toHaveLength(1)
      expect((await t.repository.list({ projectId: 'project-1', limit: -5 })).items).toHaveLength(1)
      expect((await t.repository.list({ projectId: 'project-1' })).items).toHaveLength(3)
      for (let i = 0; i < 100; i++) await t.repository.create(newJob())
      const big = await t.repository.list({ projectId: 'project-1', limit: 1000 })
      expect(big.items).toHaveLength(100)
      expect(big.nextCursor).not.toBeNull()
    })

    it('refuses a cursor it did not make', async () => {
      await expectCode(t.repository.list({ projectId: 'project-1', cursor: 'not-a-cursor' }), 'VALIDATION')
    })
  })
}
