import './cjs-conditions.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore, type MasterVideos } from '@mastervideo/core'
import { newJob, testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresPoller, postgresRepository } from '../src/index.js'
import { uniqueApp, usePostgres } from './helpers.js'
import { startWorker } from './processes.js'

const db = usePostgres()
let dir: string
let clip: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-crash-'))
  clip = await writeTestClip(path.join(dir, 'clip.bin'), {}, 64)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function service(url: string, schema: string, durationMs: number, onConcatStart?: () => void): MasterVideos {
  return createMasterVideos({
    repository: postgresRepository({ connectionString: url }, { schema }),
    transcoder: testTranscoder({ durationMs, steps: 20, ...(onConcatStart ? { onConcatStart } : {}) }),
    assets: () => clip,
    output: localOutputStore(path.join(dir, 'out')),
  })
}

describe('machines that die', () => {
  it('a worker process killed with SIGKILL mid-job: another takes the job over once the lease expires', async () => {
    const repo = await db.repository()
    const doomed = await startWorker({
      url: db.url(),
      schema: repo.schema,
      dir,
      workerId: 'doomed',
      intervalMs: 10 * 60_000,
      leaseMs: 1500,
      durationMs: 10 * 60_000, // never finishes on its own
    })
    const { record } = await repo.create(newJob())
    await new Promise<void>((resolve) => doomed.on((m) => m.type === 'processing' && resolve()))
    doomed.child.kill('SIGKILL')
    await new Promise((resolve) => doomed.child.once('exit', resolve))
    expect(await repo.get(record.id)).toMatchObject({
      status: 'processing',
      leaseOwner: 'doomed',
      attempts: 1,
    })

    // The survivor hears of no new job: its interval finds the expired lease.
    const survivor = service(db.url(), repo.schema, 10)
    survivor
      .worker({
        workerId: 'survivor',
        leaseMs: 1500,
        poller: postgresPoller({ connectionString: db.url(), schema: repo.schema, intervalMs: 200 }),
      })
      .start()
    const done = await survivor.waitFor(record.id, { timeoutMs: 30_000 })
    expect(done).toMatchObject({ status: 'completed', attempts: 2, leaseOwner: null })
    await survivor.close()
    await repo.close()
  })

  it('connections dropped mid-job (pg_terminate_backend) fail nothing: the job completes, the poller reconnects', async () => {
    const repo = await db.repository()
    const app = uniqueApp()
    const url = db.urlFor(app)
    let killed: Promise<number> | null = null
    const mv = service(url, repo.schema, 1500, () => {
      // Kill every session of this service (repository pool and LISTEN connection) while the job runs.
      killed ??= new Promise((resolve) => setTimeout(resolve, 400)).then(() => db.terminate(app))
    })
    const errors: Error[] = []
    mv.worker({
      leaseMs: 3000,
      heartbeatMs: 100,
      poller: postgresPoller({
        connectionString: url,
        schema: repo.schema,
        intervalMs: 10 * 60_000,
        onError: (e) => errors.push(e),
      }),
    }).start()
    const first = await mv.create({ projectId: 'p', name: 'first', shots: ['a'] })
    const done = await mv.waitFor(first.id, { timeoutMs: 30_000 })
    // Both the pool's connection and the LISTEN connection were killed...
    expect(await killed).toBeGreaterThanOrEqual(2)
    expect(errors.length).toBeGreaterThan(0)
    // ...and nothing failed: one attempt, completed.
    expect(done).toMatchObject({ status: 'completed', attempts: 1, error: null })

    // A job from another machine is heard through the re-established LISTEN
    // (the interval is ten minutes, so nothing else could wake the worker).
    const { record } = await repo.create(newJob())
    expect(await mv.waitFor(record.id, { timeoutMs: 30_000 })).toMatchObject({
      status: 'completed',
      attempts: 1,
    })
    await mv.close()
    await repo.close()
  })
})
