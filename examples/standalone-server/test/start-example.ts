import path from 'node:path'
import { execa, type ResultPromise } from 'execa'

const example = path.resolve(import.meta.dirname, '..')

/** The example as `npm start` runs it, on a free port, with its log lines collected. */
export interface RunningExample {
  url: string
  process: ResultPromise
  /** Every line the server has logged so far. */
  logs: string[]
  stop: () => Promise<void>
}

export async function startExample(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<RunningExample> {
  const child = execa(
    process.execPath,
    ['--conditions=@mastervideo/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: example,
      env: { PORT: '0', HOST: '127.0.0.1', MASTERVIDEO_DATA: dataDir, ...env },
      reject: false,
      all: true,
    },
  )
  const logs: string[] = []
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 120_000)
    child.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(line)
        const match = /open (http:\/\/\S+)/.exec(line)
        if (match) {
          clearTimeout(timer)
          resolve(match[1] as string)
        }
      }
    })
    void child.then((result) => reject(new Error(`server exited ${result.exitCode}:\n${logs.join('\n')}`)))
  })
  return {
    url,
    process: child,
    logs,
    stop: async () => {
      child.kill('SIGTERM')
      await child
    },
  }
}
