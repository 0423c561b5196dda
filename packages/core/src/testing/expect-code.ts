import { expect } from 'vitest'
import { isMasterVideoError } from '../errors.js'

/**
 * Awaits `promise` and asserts it rejected with a `MasterVideoError` of `code`.
 * Accepts a function too, so a method that throws before returning a promise
 * is caught the same way as one that rejects.
 */
export async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  const error = await Promise.resolve()
    .then(() => (typeof promise === 'function' ? promise() : promise))
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(error, `expected a ${code} error`).not.toBeNull()
  expect(isMasterVideoError(error), `expected a MasterVideoError, got ${String(error)}`).toBe(true)
  expect((error as { code: string }).code).toBe(code)
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
