// A vitest reporter that adds one line per distinct skip note after the run's
// summary, so a test that skips for a missing tool says so where people look:
//   skipped: nginx offload test (nginx not installed; apt-get install nginx-light, or run with CI=true)
// Tests give the note with `ctx.skip(note)`; a skip without a note stays silent.
import type { Reporter, TestModule, Vitest } from 'vitest/node'

/** Prints `skipped: <note> [×N tests]` for every distinct note, after the summary. */
export default class SkipSummaryReporter implements Reporter {
  private vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, number>()
    for (const module of modules) {
      for (const test of module.children.allTests('skipped')) {
        const note = test.result().note
        if (note) counts.set(note, (counts.get(note) ?? 0) + 1)
      }
    }
    for (const [note, count] of counts) {
      const line = `skipped: ${note}${count > 1 ? ` [${count} tests]` : ''}`
      if (this.vitest) this.vitest.logger.log(line)
      else console.log(line)
    }
  }
}
