import './cjs-conditions.js'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore, type MasterVideo, type MasterVideos } from '@mastervideo/core'
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

async function waitForStatus(
  repo: { get(id: string): Promise<MasterVideo | null> },
  id: string,
  status: MasterVideo['status'],
): Promise<MasterVideo> {
  for (let i = 0; i < 300; i++) {
    const record = await repo.get(id)
    if (record?.status === status) return record
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${id} did not reach ${status}`)
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

  it('a worker SIGKILLed between committing the video and recording it: the job completes once, and a later sweep removes the unnamed file', async () => {
    const repo = await db.repository()
    const out = path.join(dir, 'out')
    const before = new Set(await readdir(out).catch(() => []))
    const doomed = await startWorker({
      url: db.url(),
      schema: repo.schema,
      dir,
      workerId: 'dies-after-commit',
      intervalMs: 10 * 60_000,
      leaseMs: 1500,
      durationMs: 50,
      killAfterCommit: true,
    })
    const { record } = await repo.create(newJob())
    await new Promise((resolve) => doomed.child.once('exit', resolve))
    expect(doomed.child.signalCode).toBe('SIGKILL')
    const orphan = (await readdir(out)).filter((f) => !before.has(f) && f.startsWith(record.id))
    expect(orphan, 'the killed worker committed its video').toHaveLength(1)
    expect(await repo.get(record.id)).toMatchObject({ status: 'processing', output: null })

    // A survivor takes the job over once the lease lapses and completes it under a new key.
    const survivor = await startWorker({
      url: db.url(),
      schema: repo.schema,
      dir,
      workerId: 'survivor-2',
      intervalMs: 200,
      leaseMs: 1500,
      durationMs: 50,
    })
    const done = await waitForStatus(repo, record.id, 'completed')
    expect(done.output?.key).not.toBe(orphan[0])
    await survivor.stop()

    // The next worker to start reads the job again, sees the file unnamed, and removes it.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const sweeper = await startWorker({
      url: db.url(),
      schema: repo.schema,
      dir,
      workerId: 'sweeper',
      intervalMs: 10 * 60_000,
      leaseMs: 1500,
      durationMs: 50,
      sweepOlderThanMs: 10,
    })
    const gone = async () => !(await readdir(out)).includes(orphan[0] as string)
    for (let i = 0; i < 100 && !(await gone()); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await gone()).toBe(true)
    const files = await readdir(out)
    expect(files).toContain(done.output?.key)
    if (done.thumbnailKey) expect(files).toContain(done.thumbnailKey)
    await sweeper.stop()
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
