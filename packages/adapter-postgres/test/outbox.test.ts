import './cjs-conditions.js'
import { outboxConformance } from '@mastervideo/core/testing'
import type { PostgresRepository } from '../src/index.js'
import { usePostgres } from './helpers.js'

const pg = usePostgres()

outboxConformance({
  name: 'postgres',
  create: () => pg.repository(),
  cleanup: async (repo) => {
    await pg.drop((repo as PostgresRepository).schema)
    await repo.close?.()
  },
})
