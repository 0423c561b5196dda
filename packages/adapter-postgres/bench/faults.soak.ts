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
import { type BenchRow, printTable } from '../../../bench/harness.js'
import { runFaults } from '../test/fault-run.js'
import { startTestServer } from '../test/pg-server.js'

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
  const rows: BenchRow[] = [
    { name: 'jobs', value: report.jobs, unit: 'jobs', higherIsBetter: true },
    { name: 'wall time', value: report.elapsedMs / 1000, unit: 's' },
    { name: 'transcodes started (all attempts)', value: report.transcodes, unit: 'transcodes' },
    { name: 'faults: connection resets', value: report.faults.resets, unit: 'resets', higherIsBetter: true },
    { name: 'faults: partitions', value: report.faults.partitions, unit: 'partitions', higherIsBetter: true },
    { name: 'faults: SIGKILLed workers', value: report.faults.kills, unit: 'kills', higherIsBetter: true },
    { name: 'jobs lost', value: report.lost, unit: 'jobs', goal: '0' },
    { name: 'jobs completed twice', value: report.completedTwice, unit: 'jobs', goal: '0' },
    { name: 'duplicate transcode time', value: report.overlapMs / 1000, unit: 's', goal: '0 s' },
    { name: 'completed records whose file is missing', value: report.missingFiles, unit: 'jobs', goal: '0' },
    { name: 'committed files no record names', value: report.unnamedFiles, unit: 'files', goal: '0' },
    {
      name: 'crash leftovers (committed, then SIGKILL before complete)',
      value: report.crashLeftovers.length,
      unit: 'files',
    },
    { name: 'worst recovery after a partition heals', value: report.worstRecoveryMs, unit: 'ms' },
  ]
  printTable('adapter-postgres faults soak', rows)
  const failed =
    report.lost + report.completedTwice + report.overlapMs + report.missingFiles + report.unnamedFiles
  process.exitCode = failed === 0 ? 0 : 1
} finally {
  await rm(dir, { recursive: true, force: true })
  await server.stop()
}
