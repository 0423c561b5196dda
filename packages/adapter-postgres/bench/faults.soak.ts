// Soak run of the fault guarantees: 1,000 jobs, 4 worker processes behind a
// TCP proxy that resets connections at random and partitions the network for
// seconds at a time, with workers SIGKILLed and restarted throughout. Prints
// the run's report (JSON, with the workers' warnings) and then its rows as a
// harness table, whose verdicts the harness computes like any bench's. With
// `--markdown` it writes that table into docs/benchmarks/adapter-postgres.md
// between the `bench:faults` markers (a quiet run is never replaced by a busy one).
//
//   node --conditions=@mastervideo/source --import tsx packages/adapter-postgres/bench/faults.soak.ts [--markdown]
//
// Not a *.bench.ts: it takes minutes, so `npm run bench` does not run it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cpuSnapshot } from '../../../bench/cpu-share.js'
import { type BenchRow, equals, measured } from '../../../bench/harness.js'
import { renderSection, updatePage } from '../../../bench/pages.js'
import { headerLines, loadNow, runHeader } from '../../../bench/run-header.js'
import { tableLines } from '../../../bench/table.js'
import { type FaultRunReport, runFaults } from '../test/fault-run.js'
import { startTestServer } from '../test/pg-server.js'

const root = path.resolve(import.meta.dirname, '../../..')
const page = path.join(root, 'docs/benchmarks/adapter-postgres.md')

/** The rows of one soak: counts that must be 0 carry `equals(0)`, the rest are reported. */
function soakRows(report: FaultRunReport): BenchRow[] {
  const count = (
    name: string,
    value: number,
    unit: string,
    better: 'lower' | 'higher' = 'lower',
  ): BenchRow => ({
    name,
    unit,
    subject: measured([value]),
    better,
    goal: 'report',
  })
  const zero = (name: string, value: number, unit: string): BenchRow => ({
    ...count(name, value, unit),
    goal: equals(0),
  })
  return [
    count('jobs', report.jobs, 'jobs', 'higher'),
    count('wall time', report.elapsedMs / 1000, 's'),
    count('transcodes started (all attempts)', report.transcodes, 'transcodes'),
    count('faults: connection resets', report.faults.resets, 'resets', 'higher'),
    count('faults: partitions', report.faults.partitions, 'partitions', 'higher'),
    count('faults: SIGKILLed workers', report.faults.kills, 'kills', 'higher'),
    zero('jobs lost (not completed at the end)', report.lost, 'jobs'),
    zero('jobs completed twice', report.completedTwice, 'jobs'),
    zero('duplicate transcode time (two attempts of one job at once)', report.overlapMs / 1000, 's'),
    zero('completed records whose file is missing', report.missingFiles, 'jobs'),
    zero('committed files no record names', report.unnamedFiles, 'files'),
    count(
      'crash leftovers removed by the startup sweep (committed, then SIGKILL before complete)',
      report.sweptOrphans.length,
      'files',
    ),
    zero('crash leftovers remaining after the sweep', report.crashLeftovers.length, 'files'),
    count('worst time from a partition healing to the next job completed', report.worstRecoveryMs, 'ms'),
  ]
}

const started = new Date()
const loadBefore = loadNow()
const cpuBefore = cpuSnapshot()
const server = await startTestServer()
const dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-soak-'))
try {
  const report = await runFaults({
    url: server.url,
    schema: 'soak',
    dir,
    jobs: 1000,
    workers: 4,
    concurrency: 2,
    leaseMs: 2000,
    durationMs: 150,
    chaos: { resetAfterMs: [300, 4000], partitionEveryMs: [3000, 8000], partitionMs: [1000, 4000] },
    killAtMs: [5_000, 15_000, 25_000, 35_000],
    timeoutMs: 10 * 60_000,
  })
  console.log(JSON.stringify({ ...report, suspects: report.suspects.slice(0, 20) }, null, 2))
  const rows = soakRows(report)
  const header = runHeader(root, started, loadBefore, cpuBefore, cpuSnapshot())
  console.log('\n### adapter-postgres faults soak\n')
  for (const line of [...headerLines(header), '', ...tableLines(rows)]) console.log(line)
  if (process.argv.includes('--markdown') && existsSync(page)) {
    const file = 'packages/adapter-postgres/bench/faults.soak.ts'
    const section = renderSection({ folder: 'adapter-postgres', bench: 'faults', file, header, rows })
    const updated = updatePage(readFileSync(page, 'utf8'), 'faults', section)
    if (updated === null) console.log(`kept the quiet run in ${path.relative(root, page)}: this run was busy`)
    else writeFileSync(page, updated)
  }
  const failed =
    report.lost +
    report.completedTwice +
    report.overlapMs +
    report.missingFiles +
    report.unnamedFiles +
    report.crashLeftovers.length
  process.exitCode = failed === 0 ? 0 : 1
} finally {
  await rm(dir, { recursive: true, force: true })
  await server.stop()
}
