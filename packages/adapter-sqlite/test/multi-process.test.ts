import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { multiProcessClaimConformance, newJob } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, sqliteRepository } from '../src/index.js'
import { type Child, spawnChild } from './fixtures/children.js'

const packageDir = path.resolve(import.meta.dirname, '..')
let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-processes-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function readyAll(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.next()))
}

// Exactly-once claims across processes, with no SQLITE_BUSY escaping any call:
// the shared harness checks both (every call that threw is reported).
multiProcessClaimConformance({
  name: 'sqlite (one file, 4 processes)',
  module: new URL('./fixtures/claim-repository.ts', import.meta.url),
  execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
  cwd: packageDir,
  processes: 4,
  jobs: 400,
  create: () => {
    const filename = path.join(dir, `race-${n++}.sqlite`)
    return { repository: sqliteRepository({ filename }), args: { filename } }
  },
})

describe('many OS processes on one file', () => {
  it('4 processes opening the same new file at once all succeed and migrate it once', async () => {
    const file = path.join(dir, 'fresh.sqlite')
    const children = Array.from({ length: 4 }, () => spawnChild(file, 'open'))
    await readyAll(children)
    for (const child of children) child.process.send('go')
    const results = await Promise.all(children.map((c) => c.next()))
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }])
    const repo = sqliteRepository({ filename: file })
    // Every step applied exactly once, in order.
    expect(
      repo.database.prepare('SELECT version FROM mastervideo_migrations ORDER BY version').all(),
    ).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })))
    await repo.close()
  })
})

describe('crash recovery', () => {
  it('a job whose process was SIGKILLed is claimed by another process after the lease, and nothing else changes', async () => {
    const file = path.join(dir, 'crash.sqlite')
    const repo = sqliteRepository({ filename: file })
    const victim = await repo.create(newJob({ name: 'victim' }))
    const later = await repo.create(newJob({ name: 'later', runAt: new Date(Date.now() + 3_600_000) }))
    const done = await repo.create(newJob({ name: 'done', runAt: new Date(Date.now() + 3_600_000) }))
    await repo.cancel(done.record.id)
    const raw = (id: string) => repo.database.prepare('SELECT * FROM mastervideo_jobs WHERE id = ?').get(id)
    const before = { later: raw(later.record.id), done: raw(done.record.id) }

    const crasher = spawnChild(file, 'hang', 'crasher')
    const { claimed } = await crasher.next<{ claimed: { id: string; token: string } }>()
    expect(claimed.id).toBe(victim.record.id)
    crasher.process.kill('SIGKILL')
    expect((await crasher.exited).signal).toBe('SIGKILL')
    // Stranded: still processing under the dead process's lease.
    expect(await repo.get(victim.record.id)).toMatchObject({
      status: 'processing',
      leaseToken: claimed.token,
    })

    const rescuer = spawnChild(file, 'await', 'rescuer')
    const rescued = await rescuer.next<{ id: string; attempts: number; status: string }>()
    await rescuer.exited
    expect(rescued).toEqual({ id: victim.record.id, attempts: 2, status: 'completed' })
    expect(await repo.get(victim.record.id)).toMatchObject({
      status: 'completed',
      leaseOwner: null,
      attempts: 2,
    })
    // The other jobs, byte for byte.
    expect({ later: raw(later.record.id), done: raw(done.record.id) }).toEqual(before)
    await repo.close()
  })
})
