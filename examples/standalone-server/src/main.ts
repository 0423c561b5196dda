// The standalone server, configured from the environment: PORT (3000), HOST
// (127.0.0.1), MASTERVIDEO_DATA (./data), MASTERVIDEO_WORKER=0 to run the
// worker as a separate process (`mastervideo worker`), MASTERVIDEO_CONCURRENCY.
// On first run it renders a demo project of sample clips with ffmpeg's lavfi
// sources, so there is something to click.
import path from 'node:path'
import { startServer } from 'mastervideo'

const server = await startServer({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  // `npm start` runs in this folder; keep the data where the command was typed.
  dataDir: process.env.MASTERVIDEO_DATA ?? path.join(process.env.INIT_CWD ?? '.', 'data'),
  worker: process.env.MASTERVIDEO_WORKER !== '0',
  concurrency: Number(process.env.MASTERVIDEO_CONCURRENCY ?? 1),
})

// Graceful: stop taking requests, let running jobs finish (30 s), release the rest.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: a repeated signal must not kill the process mid-shutdown.
  process.on(signal, () => {
    void server.close().then(() => process.exit(0))
  })
}
