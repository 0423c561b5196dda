import type { Logger } from '@mastervideo/core'

/** The levels {@link consoleLogger} knows, least important first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

function render(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message)
  if (typeof value === 'string') return /^[\w./:@=,-]+$/.test(value) ? value : JSON.stringify(value)
  return JSON.stringify(value)
}

/**
 * A pino-shaped {@link Logger} that writes one readable line per entry to
 * stderr (`12:00:01 INFO mastervideo job started id=master_... attempt=1`), for
 * the CLI and examples. Production apps pass pino itself.
 */
export function consoleLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const make =
    (name: LogLevel) =>
    (first: Record<string, unknown> | string, message?: string): void => {
      if (ORDER[name] < ORDER[level]) return
      const [fields, text] = typeof first === 'string' ? [{}, first] : [first, message ?? '']
      const pairs = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k === 'err' ? 'error' : k}=${render(v)}`)
      const time = new Date().toISOString().slice(11, 19)
      write(`${time} ${name.toUpperCase().padEnd(5)} ${text}${pairs.length ? ` ${pairs.join(' ')}` : ''}\n`)
    }
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') } as Logger
}
