// Soak run of the fault guarantees: 1,000 jobs, 4 worker processes behind a
// TCP proxy that resets connections at random and partitions the network for
// seconds at a time, with workers SIGKILLed and restarted throughout. Prints
// the figures of docs/benchmarks/adapter-postgres.md ("Faults").
//
//   node --conditions=@mastervideo/source --import tsx packages/adapter-postgres/bench/faults.soak.ts
//
// Not a *.bench.ts: it takes minutes, so `npm run bench` does not run it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type BenchRow, equals, measured } from '../../../bench/harness.js'
import { cpuSnapshot } from '../../../bench/cpu-share.js'
import { headerLines, loadNow, runHeader } from '../../../bench/run-header.js'
import { tableLines } from '../../../bench/table.js'
import { runFaults } from '../test/fault-run.js'
import { startTestServer } from '../test/pg-server.js'

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
  const report1 = (name: string, value: number, unit: string): BenchRow => ({
    name,
    unit,
    subject: measured([value]),
    better: 'lower',
    goal: 'report',
  })
  const zero = (name: string, value: number, unit: string): BenchRow => ({
    ...report1(name, value, unit),
    goal: equals(0),
  })
  const rows: BenchRow[] = [
    { ...report1('jobs', report.jobs, 'jobs'), better: 'higher' },
    report1('wall time', report.elapsedMs / 1000, 's'),
    report1('transcodes started (all attempts)', report.transcodes, 'transcodes'),
    { ...report1('faults: connection resets', report.faults.resets, 'resets'), better: 'higher' },
    { ...report1('faults: partitions', report.faults.partitions, 'partitions'), better: 'higher' },
    { ...report1('faults: SIGKILLed workers', report.faults.kills, 'kills'), better: 'higher' },
    zero('jobs lost', report.lost, 'jobs'),
    zero('jobs completed twice', report.completedTwice, 'jobs'),
    zero('duplicate transcode time', report.overlapMs / 1000, 's'),
    zero('completed records whose file is missing', report.missingFiles, 'jobs'),
    zero('committed files no record names', report.unnamedFiles, 'files'),
    report1(
      'crash leftovers (committed, then SIGKILL before complete)',
      report.crashLeftovers.length,
      'files',
    ),
    report1('worst recovery after a partition heals', report.worstRecoveryMs, 'ms'),
  ]
  console.log('\n### adapter-postgres faults soak\n')
  const root = path.resolve(import.meta.dirname, '../../..')
  for (const line of [...headerLines(runHeader(root, started, loadBefore, cpuBefore, cpuSnapshot())), '', ...tableLines(rows)])
    console.log(line)
  const failed =
    report.lost + report.completedTwice + report.overlapMs + report.missingFiles + report.unnamedFiles
  process.exitCode = failed === 0 ? 0 : 1
} finally {
  await rm(dir, { recursive: true, force: true })
  await server.stop()
}
