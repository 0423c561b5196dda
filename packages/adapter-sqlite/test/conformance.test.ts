import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newJob, pollerConformance, repositoryConformance } from '@mastervideo/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { type SqliteRepository, sqlitePoller, sqliteRepository } from '../src/index.js'

let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-conformance-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The repository that announces work to the poller under test, on the file that poller watches. */
let writer: SqliteRepository | undefined
function pollerFile(): string {
  const filename = path.join(dir, `poller-${n++}.sqlite`)
  writer = sqliteRepository({ filename })
  return filename
}

repositoryConformance({
  name: 'sqlite (file, WAL)',
  // A real file per test, as users run it: WAL, pragmas, migrations and all.
  create: () => sqliteRepository({ filename: path.join(dir, `conformance-${n++}.sqlite`) }),
  // The backdoor reads the columns with raw SQL, bypassing the adapter's row mapping.
  inspect: async (repository, id) => {
    const row = (repository as SqliteRepository).database
      .prepare('SELECT status, attempts, progress, lease_token FROM mastervideo_jobs WHERE id = ?')
      .get(id) as
      | { status: string; attempts: number; progress: number; lease_token: string | null }
      | undefined
    return row
      ? {
          status: row.status as 'created',
          attempts: row.attempts,
          progress: row.progress,
          leaseToken: row.lease_token,
        }
      : null
  },
})

// A second connection writes to the file, as another process would: data_version changes only then.
pollerConformance({
  name: 'sqlitePoller (file)',
  intervalMs: 100,
  create: () => sqlitePoller({ filename: pollerFile(), intervalMs: 20, fullWakeEvery: 5 }),
  announce: {
    create: () => sqlitePoller({ filename: pollerFile(), intervalMs: 20, fullWakeEvery: 10_000 }),
    write: async () => {
      await writer?.create(newJob())
    },
    withinMs: 500,
  },
  cleanup: async () => {
    await writer?.close()
    writer = undefined
  },
})
