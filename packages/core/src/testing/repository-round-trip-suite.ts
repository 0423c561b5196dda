import { describe, expect, it } from 'vitest'
import { newJob, type RepositoryConformanceOptions, suiteTitle, useRepository } from './repository-suite.js'

/**
 * Registers the tests of what storage gives back: strings (quotes, NUL,
 * emoji, Cyrillic, 10,000 characters) and dates (to the millisecond) come
 * back exactly, and returned records are copies that a caller may mutate.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryRoundTripConformance } from '@mastervideo/core/testing'
 *
 * repositoryRoundTripConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryRoundTripConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('round trip', options), () => {
    const t = useRepository(options)

    it('round-trips hostile strings exactly', async () => {
      const hostile = `qu'o"te \\ back; DROP TABLE x;-- \u0000nul 😀 Кириллица ${'x'.repeat(10_000)}`
      const input = newJob({
        name: hostile,
        projectId: `p-${hostile.slice(0, 60)}`,
        idempotencyKey: hostile,
        shots: [{ assetId: hostile }, { assetId: '../../etc/passwd' }],
      })
      await t.repository.create(input)
      const record = await t.repository.get(input.id)
      expect(record?.name).toBe(hostile)
      expect(record?.projectId).toBe(input.projectId)
      expect(record?.idempotencyKey).toBe(hostile)
      expect(record?.shots).toEqual(input.shots)
      const page = await t.repository.list({ projectId: input.projectId })
      expect(page.items.map((r) => r.name)).toEqual([hostile])
    })

    it('round-trips dates to the millisecond', async () => {
      const runAt = new Date(Date.now() - 12_345)
      const input = newJob({ runAt })
      await t.repository.create(input)
      expect((await t.repository.get(input.id))?.runAt.getTime()).toBe(runAt.getTime())
    })

    it('returns copies: mutating a returned record changes nothing stored', async () => {
      const input = newJob()
      const { record } = await t.repository.create(input)
      record.name = 'changed'
      record.shots.push({ assetId: 'extra' })
      record.encoding.crf = 1
      const again = await t.repository.get(input.id)
      expect(again?.name).toBe('master')
      expect(again?.shots).toHaveLength(2)
      expect(again?.encoding).toEqual({})
      if (again) again.shots.length = 0
      const listed = await t.repository.list({ projectId: input.projectId })
      expect(listed.items[0]?.shots).toHaveLength(2)
    })
  })
}
