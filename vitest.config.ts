import { existsSync, readdirSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

// Tests resolve workspace packages to their TypeScript sources through the
// `@mastervideo/source` export condition, so no build is needed to run them.
// Only conditions Node itself understands: vitest hands them to its workers as
// `--conditions`, and `import` there would make CommonJS `require()` load ESM
// builds (Express's `require('is-promise')` breaks).
const conditions = ['@mastervideo/source', 'node']

/** One vitest project per workspace folder that has tests. */
const projects = ['packages', 'examples'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => ({
          extends: true as const,
          test: {
            name: entry.name,
            root: `${group}/${entry.name}`,
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          },
        }))
    : [],
)

/** The bench harness's tests, and every bench run in --quick mode. */
const benchProject = {
  extends: true as const,
  test: {
    name: 'bench',
    root: 'bench',
    include: ['test/**/*.test.ts'],
    // RSS rows collect garbage first (peakRssGrowth).
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
  },
}

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@mastervideo/source'] } },
  test: {
    projects: [...projects, benchProject],
    // After the usual summary, one line per skip note: what was skipped and how to run it.
    reporters: ['default', './scripts/test-support/skip-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
