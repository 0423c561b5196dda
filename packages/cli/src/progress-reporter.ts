import cliProgress from 'cli-progress'

/** Shows 0..1 progress: a bar on a terminal, a plain line per 10% otherwise (logs, CI, pipes). */
export interface ProgressReporter {
  update: (fraction: number) => void
  done: () => void
  stop: () => void
}

export function progressReporter(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {duration_formatted}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
    bar.start(100, 0)
    let stopped = false
    return {
      update: (f) => bar.update(Math.round(f * 100)),
      done: () => bar.update(100),
      stop: () => {
        if (!stopped) bar.stop()
        stopped = true
      },
    }
  }
  let lastDecile = -1
  return {
    update: (f) => {
      const decile = Math.floor(f * 10)
      if (decile > lastDecile) {
        lastDecile = decile
        stream.write(`${label}: ${decile * 10}%\n`)
      }
    },
    done: () => {
      if (lastDecile < 10) stream.write(`${label}: 100%\n`)
      lastDecile = 10
    },
    stop: () => {},
  }
}
