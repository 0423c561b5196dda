import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { atLeast, measured, ratioAtMost } from '../harness.js'
import { type BenchResult, updatePage, writePages } from '../pages.js'
import type { RunHeader } from '../run-header.js'

const header = (quiet: boolean, load: number): RunHeader => ({
  date: '2026-12-03T14:00:00.000Z',
  node: 'v20.20.2',
  cpus: 2,
  cpuModel: 'Test CPU',
  loadBefore: load,
  loadAfter: load,
  foreignCores: quiet ? 0.1 : 1.5,
  versions: { '@mastervideo/core': '0.3.0' },
  quiet,
})

const result = (quiet: boolean, median: number): BenchResult => ({
  folder: 'adapter-sqlite',
  bench: 'sqlite',
  file: 'packages/adapter-sqlite/bench/sqlite.bench.ts',
  header: header(quiet, quiet ? 0.2 : 3),
  rows: [
    {
      name: 'claim+complete',
      unit: 'jobs/s',
      subject: measured([median, median + 100, median - 100]),
      better: 'higher',
      goal: atLeast(2000),
      headline: true,
    },
    {
      name: 'list p99',
      unit: 'ms',
      subject: measured([3]),
      reference: { name: 'memory', value: measured([100]) },
      better: 'lower',
      goal: ratioAtMost(0.5),
    },
  ],
})

function docs(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mv-pages-'))
  mkdirSync(path.join(dir, 'benchmarks'))
  writeFileSync(path.join(dir, 'benchmarks.md'), '# Benchmarks\n\nProse.\n')
  writeFileSync(path.join(dir, 'benchmarks', 'adapter-sqlite.md'), '# SQLite\n\nMethod prose stays.\n')
  return dir
}

describe('--markdown pages', () => {
  it('writes the run into the page between markers, keeping the prose, and builds the headline table', () => {
    const dir = docs()
    writePages(dir, [result(false, 3000)])
    const page = readFileSync(path.join(dir, 'benchmarks', 'adapter-sqlite.md'), 'utf8')
    expect(page).toContain('Method prose stays.')
    expect(page).toContain('<!-- bench:sqlite:start -->')
    expect(page).toContain('(busy machine: no quiet run yet)')
    expect(page).toContain('| claim+complete | 3,000 jobs/s (2,900–3,100, n=3) |  |  | ≥ 2,000 jobs/s | ✔ |')
    expect(page).toContain('| list p99 | 3 ms | memory: 100 ms | 0.03x | ≤ 0.5x | ✔ |')
    const index = readFileSync(path.join(dir, 'benchmarks.md'), 'utf8')
    expect(index).toContain('Prose.')
    expect(index).toContain('<!-- bench:headline:start -->')
    expect(index).toMatch(
      /\| claim\+complete \| 3,000 jobs\/s .* ✔ \| \[adapter-sqlite\]\(benchmarks\/adapter-sqlite.md\) \|/,
    )
    expect(index).not.toContain('list p99')
  })

  it('replaces a busy run with a quiet one, and never a quiet one with a busy one', () => {
    const dir = docs()
    const file = path.join(dir, 'benchmarks', 'adapter-sqlite.md')
    writePages(dir, [result(false, 3000)])
    writePages(dir, [result(true, 4000)])
    expect(readFileSync(file, 'utf8')).toContain('4,000 jobs/s')
    expect(readFileSync(file, 'utf8')).not.toContain('3,000 jobs/s')
    const log = writePages(dir, [result(false, 1000)])
    expect(log[0]).toMatch(/kept the quiet run/)
    expect(readFileSync(file, 'utf8')).toContain('4,000 jobs/s')
    expect(readFileSync(path.join(dir, 'benchmarks.md'), 'utf8')).toContain('4,000 jobs/s')
    writePages(dir, [result(true, 5000)])
    const page = readFileSync(file, 'utf8')
    expect(page).toContain('5,000 jobs/s')
    expect(page.match(/bench:sqlite:start/g)).toHaveLength(1)
  })

  it('leaves a page alone when the markers are there but the kept run is quiet', () => {
    const text = '# x\n<!-- bench:a:start -->\n<!-- run: quiet -->\nold\n<!-- bench:a:end -->\n'
    expect(updatePage(text, 'a', '<!-- run: busy -->\nnew')).toBeNull()
    expect(updatePage(text, 'a', '<!-- run: quiet -->\nnew')).toContain('new')
  })
})
