import './cjs-conditions.js'
import { newJob, pollerConformance, repositoryConformance } from '@mastervideo/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { type PostgresRepository, postgresPoller } from '../src/index.js'
import { usePostgres } from './helpers.js'

const pg = usePostgres()

repositoryConformance({
  name: 'postgres',
  create: () => pg.repository(),
  cleanup: async (repo) => {
    await pg.drop((repo as PostgresRepository).schema)
    await repo.close?.()
  },
  inspect: (repo, id) => pg.inspect(repo as PostgresRepository, id),
  // Times come from the database clock: the stats suite writes its own through this backdoor.
  stamp: async (repo, id, times) => {
    await pg.admin().query(
      `UPDATE ${(repo as PostgresRepository).schema}.master_videos SET created_at = $2,
           started_at = COALESCE($3, started_at), completed_at = COALESCE($4, completed_at) WHERE id = $1`,
      [id, times.createdAt, times.startedAt, times.completedAt],
    )
  },
})

/** The repository whose writes NOTIFY the pollers under test (its own schema, so its own channel). */
let notifier: PostgresRepository
beforeAll(async () => {
  notifier = await pg.repository()
})
afterAll(async () => {
  await notifier?.close()
})

pollerConformance({
  name: 'postgresPoller',
  intervalMs: 100,
  create: () => postgresPoller({ connectionString: pg.url(), schema: notifier.schema, intervalMs: 100 }),
  announce: {
    create: () =>
      postgresPoller({ connectionString: pg.url(), schema: notifier.schema, intervalMs: 10 * 60_000 }),
    write: async () => {
      await notifier.create(newJob())
    },
    withinMs: 500,
  },
})
