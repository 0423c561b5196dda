// `npm run bench [-- [--quick] [--markdown] <package or folder/bench>...]`: runs every
// packages/*/bench/*.bench.ts (or those named: a package by folder or package
// name, one file as `adapter-ffmpeg/ladder`) one after another and prints, per file, a Markdown table
// whose ratios and ✔/✘ the harness computes. `--quick`: tiny sizes, one
// round (proves the benches run; figures meaningless). `--markdown`: writes
// each table into its page in docs/benchmarks/ (never from a quick run).
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { cpuSnapshot } from './cpu-share.js'
import { discoverBenches, selectBenches } from './discover.js'
import { type Bench, benchContext } from './harness.js'
import { type BenchResult, writePages } from './pages.js'
import { headerLines, loadNow, runHeader } from './run-header.js'
import { tableLines } from './table.js'

const root = path.resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const markdown = args.includes('--markdown')
const filters = args.filter((arg) => !arg.startsWith('--'))
if (quick && markdown) {
  console.error('--markdown writes the docs: not from a --quick run')
  process.exit(2)
}

let files: ReturnType<typeof selectBenches>
try {
  files = selectBenches(discoverBenches(root), filters)
} catch (error) {
  console.error((error as Error).message)
  process.exit(2)
}
const ctx = benchContext(quick)
const started = new Date()
const loadAtStart = loadNow()
const cpuAtStart = cpuSnapshot()
console.log(
  `# mastervideo benchmarks${quick ? ' (--quick: tiny sizes, 1 round; figures mean nothing)' : ''}\n`,
)
const results: BenchResult[] = []
let failures = 0
for (const file of files) {
  const label = path.relative(root, file.path)
  const benchStarted = new Date()
  const loadBefore = loadNow()
  const cpuBefore = cpuSnapshot()
  try {
    const bench = (await import(pathToFileURL(file.path).href)).default as Bench
    const rows = await bench(ctx)
    // An opt-in bench returns no rows when not asked for (it prints why): no table, its page untouched.
    if (rows.length === 0) {
      console.log(`\n### ${label}\n\nskipped: no rows\n`)
      continue
    }
    const result = {
      folder: file.folder,
      bench: file.bench,
      file: label,
      header: runHeader(root, benchStarted, loadBefore, cpuBefore, cpuSnapshot()),
      rows,
    }
    console.log(`\n### ${label}\n`)
    for (const line of [...headerLines(result.header), '', ...tableLines(rows)]) console.log(line)
    results.push(result)
  } catch (error) {
    failures++
    console.error(`\n${label} failed:`, error)
  }
}
console.log('\n## Run\n')
for (const line of headerLines(runHeader(root, started, loadAtStart, cpuAtStart, cpuSnapshot())))
  console.log(line)
if (markdown) for (const line of writePages(path.join(root, 'docs'), results)) console.log(line)
process.exit(failures === 0 ? 0 : 1)
