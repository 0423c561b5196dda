/** One log method in pino's shape: `(fields, message)` or `(message)`. */
export type LogMethod = {
  (fields: Record<string, unknown>, message?: string): void
  (message: string): void
}

/**
 * The logger mastervideo writes to: pino's shape, so a pino (or bunyan)
 * logger fits as is; `console` does not print the fields as nicely but works.
 *
 * @example
 * ```ts
 * import pino from 'pino'
 * import { createMasterVideos } from '@mastervideo/core'
 *
 * // createMasterVideos({ ..., logger: pino() })
 * ```
 */
export interface Logger {
  debug: LogMethod
  info: LogMethod
  warn: LogMethod
  error: LogMethod
}

const noop = () => {}

/** The default: logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
