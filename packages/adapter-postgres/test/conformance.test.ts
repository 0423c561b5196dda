import './cjs-conditions.js'
import { repositoryConformance } from '@mastervideo/core/testing'
import type { PostgresRepository } from '../src/index.js'
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
})
