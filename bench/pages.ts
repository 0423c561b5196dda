// `npm run bench -- --markdown`: each bench's table goes into its package's
// page between markers, so the hand-written method prose around it stays and
// a page is exactly what a run printed. A quiet run is never replaced by a
// busy one; the headline table of docs/benchmarks.md is rebuilt from the
// headline rows the pages keep.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { BenchRow } from './row.js'
import { headerLines, type RunHeader } from './run-header.js'
import { rowLine, tableLines } from './table.js'

/** What one bench file printed, with the header of its own run. */
export interface BenchResult {
  /** Package folder, e.g. `adapter-sqlite`. */
  folder: string
  /** Bench name: the file name without `.bench.ts`, e.g. `sqlite`. */
  bench: string
  /** Path from the repository root, e.g. `packages/adapter-sqlite/bench/sqlite.bench.ts`. */
  file: string
  header: RunHeader
  rows: BenchRow[]
}

/** Pages whose name differs from their package folder. */
const PAGE_NAMES: Record<string, string> = { cli: 'telemetry' }

/** The page of a package folder, relative to docs/benchmarks/. */
export const pageName = (folder: string): string => `${PAGE_NAMES[folder] ?? folder}.md`

const start = (key: string) => `<!-- bench:${key}:start -->`
const end = (key: string) => `<!-- bench:${key}:end -->`
const HEADLINE = '<!-- headline: '
const QUIET = '<!-- run: quiet -->'
const BUSY = '<!-- run: busy -->'

/** The generated section of one bench: run header, table, and its headline rows as comments. */
export function renderSection(result: BenchResult): string {
  const { header } = result
  return [
    header.quiet ? QUIET : BUSY,
    `#### \`${result.file}\`${header.quiet ? '' : ' (busy machine: no quiet run yet)'}`,
    '',
    ...headerLines(header),
    '',
    ...tableLines(result.rows),
    ...result.rows
      .filter((row) => row.headline)
      .map((row) => `${HEADLINE}${rowLine(row).replaceAll('-->', '--\\>')} -->`),
  ].join('\n')
}

/** Replaces what lies between `begin` and `finish` (markers kept), or returns null without them. */
function replaceBetween(text: string, begin: string, finish: string, body: string): string | null {
  const from = text.indexOf(begin)
  const to = text.indexOf(finish, from)
  if (from < 0 || to < 0) return null
  return `${text.slice(0, from + begin.length)}\n${body}\n${text.slice(to)}`
}

/** Whether a page's kept section for `key` is from a quiet run. */
export function keptIsQuiet(text: string, key: string): boolean {
  const from = text.indexOf(start(key))
  const to = text.indexOf(end(key), from)
  return from >= 0 && to >= 0 && text.slice(from, to).includes(QUIET)
}

/**
 * The page with `section` (from {@link renderSection}) in `key`'s place,
 * appended under a "Measured" heading when the page has no markers yet; or
 * `null` when the page keeps a quiet run and this one is busy.
 */
export function updatePage(text: string, key: string, section: string): string | null {
  if (keptIsQuiet(text, key) && !section.startsWith(QUIET)) return null
  const replaced = replaceBetween(text, start(key), end(key), section)
  if (replaced !== null) return replaced
  const heading = '## Measured by `npm run bench -- --markdown`'
  const base = text.includes(heading) ? text.trimEnd() : `${text.trimEnd()}\n\n${heading}`
  return `${base}\n\n${start(key)}\n${section}\n${end(key)}\n`
}

/** The headline table of docs/benchmarks.md from the headline rows the pages keep, in page order. */
export function headlineTable(pages: { name: string; text: string }[]): string {
  const head = [
    '| measurement | median (min–max, rounds) | reference (same rounds) | ratio | goal | verdict | page |',
    '|---|---:|---|---:|---|---|---|',
  ]
  const rows = pages.flatMap(({ name, text }) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(HEADLINE))
      .map(
        (line) =>
          `${line.slice(HEADLINE.length, -' -->'.length).replaceAll('--\\>', '-->')} [${name.replace(/\.md$/, '')}](benchmarks/${name}) |`,
      ),
  )
  return [...head, ...rows].join('\n')
}

/** The index page with its headline table, between `<!-- bench:headline:start/end -->`, rebuilt. */
export function updateIndex(text: string, table: string): string {
  const replaced = replaceBetween(text, start('headline'), end('headline'), table)
  if (replaced !== null) return replaced
  return `${text.trimEnd()}\n\n## Headline figures (generated)\n\n${start('headline')}\n${table}\n${end('headline')}\n`
}

/** Writes every result into its page under `docs`, then the headline table; returns one line per decision. */
export function writePages(docs: string, results: BenchResult[]): string[] {
  const log: string[] = []
  const dir = path.join(docs, 'benchmarks')
  for (const result of results) {
    const file = path.join(dir, pageName(result.folder))
    const text = existsSync(file) ? readFileSync(file, 'utf8') : `# ${result.folder} benchmarks\n`
    const updated = updatePage(text, result.bench, renderSection(result))
    if (updated === null) {
      log.push(`kept the quiet run of ${result.file} in ${path.relative(docs, file)}: this run was busy`)
      continue
    }
    writeFileSync(file, updated)
    log.push(
      `wrote ${result.file} (${result.header.quiet ? 'quiet' : 'busy'}) into ${path.relative(docs, file)}`,
    )
  }
  const pages = readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }))
  const index = path.join(docs, 'benchmarks.md')
  writeFileSync(index, updateIndex(readFileSync(index, 'utf8'), headlineTable(pages)))
  log.push('rebuilt the headline table of benchmarks.md')
  return log
}
