#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { CONCAT_STRATEGIES, isMasterVideoError } from '@mastervideo/core'
import { Command, InvalidArgumentError, Option } from 'commander'
import { concatCommand } from './commands/concat.js'
import { doctorCommand } from './commands/doctor.js'
import { scaleCommand } from './commands/scale.js'
import { workerCommand } from './commands/worker.js'
import { startServer } from './server/start-server.js'

function integer(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number')
  return n
}

/** Prints one clear line and sets a non-zero exit code. */
function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  const code = isMasterVideoError(error) ? ` [${error.code}]` : ''
  process.stderr.write(`mastervideo: ${message.split('\n')[0]}${code}\n`)
  const hint = (error as { hint?: unknown } | null)?.hint
  if (typeof hint === 'string') process.stderr.write(`hint: ${hint}\n`)
  process.exitCode = 1
}

// src/bin.ts and dist/bin.js both sit one folder below the package's package.json.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

const program = new Command('mastervideo')
  .description('Join video clips into one master video; serve the dashboard; run workers; check the setup.')
  .version(version, '-V, --version', 'print the version of mastervideo')
  .showHelpAfterError()

program
  .command('concat')
  .description('join clips into one video (stream copy when they match, re-encode otherwise)')
  .argument('<inputs...>', 'clips, in order')
  .requiredOption('-o, --output <file>', 'the video to write')
  .addOption(
    new Option(
      '--strategy <strategy>',
      'how to join (default: stream copy when the clips match, re-encode otherwise)',
    ).choices(CONCAT_STRATEGIES),
  )
  .option('--preset <preset>', 'x264 preset when re-encoding (default medium)')
  .option('--crf <n>', 'x264 CRF when re-encoding, 0-51 (default 23)', integer)
  .option('--size <WxH>', 'target size when re-encoding (default: the first clip)')
  .option('--fps <n>', 'target frame rate when re-encoding', Number)
  .option('-f, --force', 'overwrite the output file if it exists')
  .option('--renditions <heights>', 'also write smaller versions, e.g. 720,480 (out_720p.mp4, ...)')
  .option('--hls [segmentSec]', 'also write an HLS ladder of the renditions (out_hls.m3u8), segments of 4 s')
  .action(async (inputs: string[], options) => {
    await concatCommand(inputs, options).catch(fail)
  })

program
  .command('scale')
  .description('write a smaller version of a video (the width follows, never upscaled)')
  .argument('<input>', 'the video to scale')
  .requiredOption('-o, --output <file>', 'the video to write')
  .requiredOption('--height <px>', 'the height, in pixels (even)', integer)
  .option('--preset <preset>', 'x264 preset (default medium)')
  .option('--crf <n>', 'x264 CRF, 0-51 (default 23)', integer)
  .option('-f, --force', 'overwrite the output file if it exists')
  .action(async (input: string, options) => {
    await scaleCommand(input, options).catch(fail)
  })

program
  .command('serve')
  .description('run the standalone server: dashboard, API and a worker, on SQLite and the bundled ffmpeg')
  .option('--port <port>', 'port (default 3000, or PORT)', integer)
  .option('--host <host>', 'interface (default 127.0.0.1, or HOST)')
  .option('--data <dir>', 'data folder (default ./data, or MASTERVIDEO_DATA)')
  .option('--no-worker', 'do not run a worker in this process (run `mastervideo worker` instead)')
  .option('--concurrency <n>', 'jobs the in-process worker runs at once', integer, 1)
  .option('--no-demo', 'do not generate the demo project on first run')
  .option('--no-metrics', 'do not serve Prometheus metrics at /metrics')
  .action(async (options) => {
    try {
      const server = await startServer({
        port: options.port,
        host: options.host,
        dataDir: options.data,
        worker: options.worker,
        concurrency: options.concurrency,
        demo: options.demo,
        metrics: options.metrics,
      })
      // `on`, not `once`: a repeated signal must not kill the process mid-shutdown.
      const stop = () => void server.close().then(() => process.exit(0))
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    } catch (error) {
      fail(error)
    }
  })

program
  .command('worker')
  .description('run a worker process (for PM2 or systemd); graceful on SIGTERM')
  .option('--data <dir>', 'data folder (default ./data, or MASTERVIDEO_DATA)')
  .option('--concurrency <n>', 'jobs at once', integer, 1)
  .option('--poll-interval <ms>', 'how often to look for new jobs', integer, 1000)
  .option('--grace <ms>', 'how long SIGTERM waits for running jobs before releasing them', integer, 30_000)
  .option('--metrics-port <port>', 'serve Prometheus metrics at /metrics on this port', integer)
  .option('--metrics-host <host>', 'interface of the metrics listener (default 127.0.0.1)')
  .action(async (options) => {
    await workerCommand(options).catch(fail)
  })

program
  .command('doctor')
  .description('check ffmpeg, ffprobe, the database and the output folder; exit code 0 when all pass')
  .option('--data <dir>', 'data folder (default ./data, or MASTERVIDEO_DATA)')
  .action(async (options) => {
    process.exitCode = await doctorCommand(options).catch((error) => {
      fail(error)
      return 1
    })
  })

await program.parseAsync(process.argv)
