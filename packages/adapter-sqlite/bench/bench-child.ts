// A process for sqlite.bench.ts, run with `node --conditions=@mastervideo/source
// --import tsx`. argv: <file> <mode> <variant> [<dir> <count seconds>]
//   drain ours|naive  when told `go`, claim and complete until nothing is due;
//                     `naive` is the original system's SELECT-then-UPDATE claim
//   pickup sqlite|interval  run a core worker woken by that poller; report when
//                     each job starts; on `count`, report how often it woke
//                     in <count seconds> (2 by default)
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createMasterVideos, intervalPoller, localOutputStore, type Poller } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { testTranscoder } from '@mastervideo/core/testing'
import { sqlitePoller, sqliteRepository } from '../src/index.js'

const [file, mode, variant, dir, countSeconds = '2'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string?,
]
const send = (message: unknown) => process.send?.(message)
const output = { key: 'k.mp4', size: 1, durationSec: 1, width: 320, height: 240, strategy: 'copy' as const }
const now = () => performance.timeOrigin + performance.now()

async function drain(): Promise<void> {
  const repo = sqliteRepository({ filename: file })
  const db = repo.database
  // The original system: read one created row, then mark it, in two autocommit statements.
  const pick = db.prepare(`SELECT id FROM mastervideo_jobs WHERE status = 'created' LIMIT 1`)
  const mark = db.prepare(`UPDATE mastervideo_jobs SET status = 'processing' WHERE id = ?`)
  const finish = db.prepare(`UPDATE mastervideo_jobs SET status = 'completed', output = ? WHERE id = ?`)
  send({ ready: true })
  await new Promise((resolve) => process.once('message', resolve))
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const claimed: string[] = []
  let errors = 0
  const started = now()
  for (;;) {
    try {
      if (variant === 'naive') {
        const row = pick.get() as { id: string } | undefined
        if (!row) break
        mark.run(row.id)
        finish.run(JSON.stringify(output), row.id)
        claimed.push(row.id)
      } else {
        const job = await repo.claim({
          workerId: `w${process.pid}`,
          leaseToken: newLeaseToken(),
          leaseMs: 60_000,
        })
        if (!job) break
        await repo.complete(job.lease, { output, thumbnailKey: null })
        claimed.push(job.record.id)
      }
      // A real worker does I/O between jobs: let the event loop turn, so the
      // delay histogram sees the synchronous SQLite calls (and lock waits).
      await new Promise((resolve) => setImmediate(resolve))
    } catch {
      errors++
      if (errors > 100) break
    }
  }
  const finished = now()
  delay.disable()
  send({ claimed, errors, started, finished, loopDelayP99Ms: delay.percentile(99) / 1e6 })
  await repo.close()
}

async function pickup(): Promise<void> {
  const repository = sqliteRepository({ filename: file })
  let wakes = 0
  const inner: Poller =
    variant === 'sqlite'
      ? sqlitePoller({ database: repository.database, intervalMs: 100 })
      : intervalPoller(100)
  const counted: Poller = {
    start: (wake) =>
      inner.start(() => {
        wakes++
        wake()
      }),
  }
  const service = createMasterVideos({
    repository,
    transcoder: testTranscoder({ durationMs: 1, steps: 1 }),
    assets: () => `${dir}/clip.bin`,
    output: localOutputStore(`${dir}/out-${process.pid}`),
  })
  service.on('processing', (event) => send({ id: event.id, at: now() }))
  service.worker({ poller: counted }).start()
  send({ ready: true })
  process.on('message', async (message) => {
    if (message === 'count') {
      const before = wakes
      await new Promise((resolve) => setTimeout(resolve, Number(countSeconds) * 1000))
      send({ wakesPerSecond: (wakes - before) / Number(countSeconds) })
    }
    if (message === 'stop') {
      await service.close()
      process.disconnect?.()
    }
  })
}

if (mode === 'drain') await drain().finally(() => process.disconnect?.())
else await pickup()
