import { invalidOption } from './errors.js'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const MAX_LENGTH = 64

/**
 * Checks a table or column name given in options and returns it quoted for
 * SQL. Only `[A-Za-z_][A-Za-z0-9_]*` is accepted, so a name can never carry
 * SQL; the quotes are a second fence, not the first.
 *
 * @throws `VALIDATION` naming the option, for anything else.
 */
export function quoteIdentifier(name: unknown, field: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > MAX_LENGTH) {
    throw invalidOption(
      `${field} must match ${IDENTIFIER} (at most ${MAX_LENGTH} characters), got ${JSON.stringify(name)}`,
      { details: { field } },
    )
  }
  if (name.toLowerCase().startsWith('sqlite_')) {
    throw invalidOption(`${field} must not start with "sqlite_" (reserved by SQLite), got "${name}"`, {
      details: { field },
    })
  }
  return `"${name}"`
}

/** Checks a `tablePrefix`: empty, or the start of a valid identifier. */
export function checkTablePrefix(prefix: unknown): string {
  if (prefix === '') return ''
  // A prefix is checked as the identifier it starts: `mv_` is fine, `1mv` or `mv;` is not.
  quoteIdentifier(prefix, 'tablePrefix')
  return prefix as string
}
