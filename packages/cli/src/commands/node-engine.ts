// The doctor's Node.js check: the running version against the `engines.node`
// range of this package's package.json. A small semver subset, because that
// field only ever holds comparators (`>=20.19`), caret and tilde ranges,
// x-ranges and `||`; anything else is reported as not understood.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

type Version = [number, number, number]

const PART = /^(<=|>=|<|>|=|\^|~)?v?(\d+|x|X|\*)(?:\.(\d+|x|X|\*))?(?:\.(\d+|x|X|\*))?$/

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** One comparator (`>=20.19`, `^20.19.0`, `20.x`) as a test, or null when it is not understood. */
function comparator(text: string): ((v: Version) => boolean) | null {
  const match = PART.exec(text)
  if (!match) return null
  const op = match[1] ?? ''
  const given = [match[2], match[3], match[4]].map((n) =>
    n === undefined || /[xX*]/.test(n) ? null : Number(n),
  )
  const fixed = given.indexOf(null)
  const parts = fixed === -1 ? 3 : fixed // how many leading numbers were written
  const low: Version = [given[0] ?? 0, parts > 1 ? (given[1] ?? 0) : 0, parts > 2 ? (given[2] ?? 0) : 0]
  // The first version past the range a partial or caret/tilde version stands for.
  const bump = (index: number): Version =>
    index === 0 ? [low[0] + 1, 0, 0] : index === 1 ? [low[0], low[1] + 1, 0] : [low[0], low[1], low[2] + 1]
  if (parts === 0) return op === '<' || op === '>' ? () => false : () => true
  const caretIndex = low[0] > 0 || parts === 1 ? 0 : low[1] > 0 || parts === 2 ? 1 : 2
  const upper: Version =
    op === '^' ? bump(caretIndex) : op === '~' ? bump(parts > 1 ? 1 : 0) : bump(parts - 1)
  switch (op) {
    case '>=':
      return (v) => compare(v, low) >= 0
    case '>':
      return (v) => compare(v, upper) >= 0
    case '<':
      return (v) => compare(v, low) < 0
    case '<=':
      return (v) => compare(v, upper) < 0
    default: // '', '=', '^', '~': from low up to (not including) upper
      return (v) => compare(v, low) >= 0 && compare(v, upper) < 0
  }
}

/**
 * True when `version` (`v20.20.2`) is in `range` (`>=20.19`, `^20.19 || >=22.12`),
 * null when the range uses syntax this check does not read.
 *
 * @example
 * satisfies('v20.20.2', '>=20.19') // true
 */
export function satisfies(version: string, range: string): boolean | null {
  const v = version.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map(Number) as Version
  let understood = true
  const anyAlternative = range.split('||').some((alternative) => {
    const tests = alternative.trim().split(/\s+/).filter(Boolean).map(comparator)
    if (tests.some((t) => t === null)) {
      understood = false
      return false
    }
    return tests.every((t) => t?.(v))
  })
  return anyAlternative ? true : understood ? false : null
}

/** `engines.node` of the nearest package.json above this file (this package's, in src/ and in dist/). */
export function enginesNode(from: string = fileURLToPath(import.meta.url)): string | null {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: string } }
      return manifest.engines?.node ?? null
    }
    if (path.dirname(dir) === dir) return null
  }
}

/**
 * The doctor's line: which Node.js runs and whether `engines` allows it.
 * Throws (the check fails) when the running version is outside the range.
 */
export function nodeEngineCheck(
  version: string = process.version,
  range: string | null = enginesNode(),
): string {
  if (!range) return `${version} (no engines.node range to compare with)`
  const ok = satisfies(version, range)
  if (ok === false) {
    throw new Error(`${version} is outside engines.node "${range}": install a Node.js release in that range`)
  }
  return ok
    ? `${version} (engines.node "${range}")`
    : `${version} (engines.node "${range}" not checked: unknown syntax)`
}
