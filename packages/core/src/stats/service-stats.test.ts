import { describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import { memoryRepository } from '../repository/memory-repository.js'
import { newJob } from '../testing/repository-suite.js'
import { serviceStats } from './service-stats.js'
import { durationPercentiles, percentileCont } from './stats-of-records.js'

describe('percentileCont', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.95, 7],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 0.95, 4.8],
    [[0, 1, 2, 3, 10, 20], 0.95, 17.5],
  ])('of %j at %d is %d', (values, p, expected) => {
    const value = percentileCont(values, p)
    if (expected === null) expect(value).toBeNull()
    else expect(value).toBeCloseTo(expected, 9)
  })

  it('rounds durations to whole milliseconds', () => {
    expect(durationPercentiles([1000, 1001])).toEqual({ count: 2, p50Ms: 1001, p95Ms: 1001 })
  })
})

describe('serviceStats', () => {
  it("adds the outbox's delivery counts to the repository's stats", async () => {
    const repository = memoryRepository()
    await repository.create(newJob({ projectId: 'p1' }))
    const stats = await serviceStats(repository, { projectId: 'p1' })
    expect(stats.total).toBe(1)
    expect(stats.deliveries).toEqual({ pending: 0, delivered: 0, dead: 0 })
  })

  it('reports deliveries as null without an outbox', async () => {
    const { outbox: _none, ...repository } = memoryRepository()
    expect((await serviceStats(repository)).deliveries).toBeNull()
  })

  it('throws UNSUPPORTED for a repository without stats, VALIDATION for a bad since', async () => {
    const { stats: _none, ...repository } = memoryRepository()
    const unsupported = await serviceStats(repository).catch((e: unknown) => e)
    expect(isMasterVideoError(unsupported) && unsupported.code).toBe('UNSUPPORTED')
    const invalid = await serviceStats(memoryRepository(), { since: new Date('nope') }).catch(
      (e: unknown) => e,
    )
    expect(isMasterVideoError(invalid) && invalid.code).toBe('VALIDATION')
  })
})
