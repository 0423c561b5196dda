// Every bench in --quick mode (tiny sizes, one round), so none can rot: each
// must return rows whose verdicts the harness can compute. Whether the goals
// are met is the full run's business, never a test's.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { discoverBenches } from '../discover.js'
import { type Bench, benchContext, verdictOf } from '../harness.js'

const root = path.resolve(import.meta.dirname, '../..')

describe('every bench in --quick mode', () => {
  for (const file of discoverBenches(root)) {
    it(`${file.folder}/${file.bench}`, { timeout: 60_000 }, async () => {
      const bench = (await import(pathToFileURL(file.path).href)).default as Bench
      const rows = await bench(benchContext(true))
      expect(rows.length).toBeGreaterThan(0)
      for (const row of rows) {
        const verdict = verdictOf(row)
        expect(Number.isFinite(row.subject.median), row.name).toBe(true)
        if (row.reference)
          expect(verdict.ratio === undefined || !Number.isNaN(verdict.ratio), row.name).toBe(true)
        expect([true, false, null]).toContain(verdict.met)
      }
    })
  }
})
