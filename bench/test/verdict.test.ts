import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { discoverBenches, selectBenches } from '../discover.js'
import {
  atLeast,
  atMost,
  type BenchRow,
  equals,
  interleaved,
  measured,
  ratioAtLeast,
  ratioAtMost,
  verdictOf,
} from '../harness.js'
import { formatGoal, rowLine } from '../table.js'

const row = (over: Partial<BenchRow>): BenchRow => ({
  name: 'r',
  unit: 'ms',
  subject: measured([110]),
  reference: { name: 'raw', value: measured([100]) },
  better: 'lower',
  goal: 'report',
  ...over,
})

describe('verdictOf', () => {
  it.each([
    ['lower, ratio ≤ 1.05, 1.1x', row({ goal: ratioAtMost(1.05) }), false],
    ['lower, ratio ≤ 1.2, 1.1x', row({ goal: ratioAtMost(1.2) }), true],
    ['higher, ratio ≥ 1.0, 1.1x', row({ better: 'higher', goal: ratioAtLeast(1) }), true],
    ['higher, ratio ≥ 1.5, 1.1x', row({ better: 'higher', goal: ratioAtLeast(1.5) }), false],
    ['value ≤ 5 ms, 110 ms', row({ goal: atMost(5) }), false],
    ['value ≥ 100, 110', row({ better: 'higher', goal: atLeast(100) }), true],
    ['equals 0, 0', row({ subject: measured([0]), goal: equals(0) }), true],
    ['equals 0, 1', row({ subject: measured([1]), goal: equals(0) }), false],
    ['report', row({}), null],
  ])('%s', (_, r, met) => {
    expect(verdictOf(r).met).toBe(met)
  })

  it('computes the ratio one way for every row: subject median ÷ reference median', () => {
    expect(verdictOf(row({ better: 'higher' })).ratio).toBeCloseTo(1.1)
    expect(verdictOf(row({})).ratio).toBeCloseTo(1.1)
  })

  it('refuses a goal that points against the direction', () => {
    expect(() => verdictOf(row({ goal: ratioAtLeast(1) }))).toThrow(/against/)
    expect(() => verdictOf(row({ better: 'higher', goal: atMost(5) }))).toThrow(/against/)
  })

  it('refuses a ratio goal without a reference', () => {
    expect(() => verdictOf(row({ reference: undefined, goal: ratioAtMost(1) }))).toThrow(/reference/)
  })

  it('prints the median, the spread, the ratio, the goal and the mark', () => {
    const line = rowLine(row({ subject: measured([100, 130, 110]), goal: ratioAtMost(1.05), why: 'probing' }))
    expect(line).toBe('| r | 110 ms (100–130, n=3) | raw: 100 ms | 1.1x | ≤ 1.05x | ✘ probing |')
    expect(rowLine(row({}))).toContain('| report | — |')
    expect(formatGoal(atLeast(2000), 'jobs/s')).toBe('≥ 2,000 jobs/s')
  })
})

describe('measured and interleaved', () => {
  it('gives the median (never the best run) and the spread', () => {
    expect(measured([5, 1, 9, 3])).toEqual({ median: 4, min: 1, max: 9, n: 4 })
  })

  it('reverses the order every other round: A B, B A, A B', async () => {
    const order: string[] = []
    const samples = await interleaved(3, {
      a: async () => order.push('a'),
      b: async () => order.push('b'),
    })
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b'])
    expect(samples.a).toHaveLength(3)
  })
})

describe('package filter', () => {
  const all = discoverBenches(path.resolve(import.meta.dirname, '../..'))

  it('matches folder names and package names exactly, not path substrings', () => {
    expect(new Set(selectBenches(all, ['adapter-sqlite']).map((b) => b.folder))).toEqual(
      new Set(['adapter-sqlite']),
    )
    expect(selectBenches(all, ['@mastervideo/core']).map((b) => b.bench)).toEqual(['pickup'])
    expect(() => selectBenches(all, ['sqlite'])).toThrow(/no package or bench "sqlite"/)
    expect(() => selectBenches(all, ['packages'])).toThrow()
  })

  it('names one bench file as <folder>/<bench>', () => {
    expect(selectBenches(all, ['adapter-ffmpeg/ladder']).map((b) => b.bench)).toEqual(['ladder'])
    expect(() => selectBenches(all, ['adapter-ffmpeg/ladd'])).toThrow(/adapter-ffmpeg\/ladder/)
  })
})
