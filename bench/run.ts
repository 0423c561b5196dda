// `npm run bench [-- <filter>]`: runs every packages/*/bench/*.bench.ts (or
// those whose path contains <filter>) one after another and prints a Markdown
// table per file with each figure and its ratio to the reference run.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Bench, printTable } from './harness.js'

const root = path.resolve(import.meta.dirname, '..')
const filter = process.argv[2] ?? ''
const files = readdirSync(path.join(root, 'packages')).flatMap((pkg) => {
  const dir = path.join(root, 'packages', pkg, 'bench')
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.bench.ts'))
        .map((f) => path.join(dir, f))
    : []
})

console.log(
  `mastervideo benchmarks, ${new Date().toISOString()}, node ${process.version}, ${process.platform}`,
)
let failures = 0
for (const file of files.filter((f) => f.includes(filter))) {
  const label = path.relative(root, file)
  try {
    const bench = (await import(pathToFileURL(file).href)).default as Bench
    printTable(label, await bench())
  } catch (error) {
    failures++
    console.error(`\n${label} failed:`, error)
  }
}
process.exit(failures === 0 ? 0 : 1)
