// Failure injection at the client: a hook that runs before (and may replace)
// each request of one kind, and a counter of requests by command name.
import type { S3Client } from '@aws-sdk/client-s3'

type Input = Record<string, unknown>

/**
 * Runs `hook` before every `commandName` request the client sends; the hook
 * may throw (the request fails as if the server had refused it) or wait.
 */
export function beforeCommand(
  client: S3Client,
  commandName: string,
  hook: (input: Input) => void | Promise<void>,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) await hook(args.input as Input)
      return next(args)
    },
    { step: 'initialize', name: `before-${commandName}-${Math.random()}` },
  )
}

/** Rewrites the output of every `commandName` response. */
export function afterCommand(client: S3Client, commandName: string, rewrite: (output: Input) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args)
      if (context.commandName === commandName) rewrite(result.output as unknown as Input)
      return result
    },
    { step: 'initialize', name: `after-${commandName}-${Math.random()}` },
  )
}

/** Counts the requests the client sends, by command name (`GetObjectCommand`: 2). */
export function countCommands(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>()
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown'
      counts.set(name, (counts.get(name) ?? 0) + 1)
      return next(args)
    },
    { step: 'initialize', name: `count-${Math.random()}` },
  )
  return counts
}

/** A promise with its resolve function outside (a gate a test opens). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** A non-retryable error, as the SDK raises for a 4xx answer. */
export function refused(message: string): Error {
  return Object.assign(new Error(message), {
    name: 'InjectedFailure',
    $metadata: { httpStatusCode: 400 },
    $fault: 'client',
  })
}
