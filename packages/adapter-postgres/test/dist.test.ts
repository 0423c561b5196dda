import './cjs-conditions.js'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { newJob } from '@mastervideo/core/testing'
import { describe, expect, it } from 'vitest'
import { repoRoot, usePostgres } from './helpers.js'

// The published build, as users load it. CI builds before testing; locally
// run `npm run build` first. CommonJS is loaded by a plain `node` child: under
// vitest, require() would follow the source export condition into TypeScript.
const dist = new URL('../dist/', import.meta.url)
const built = existsSync(new URL('index.js', dist)) && existsSync(new URL('index.cjs', dist))
const db = usePostgres()
const EXPORTS = [
  'POSTGRES_TIMEOUT_DEFAULTS',
  'SCHEMA_VERSION',
  'channelName',
  'decodeText',
  'encodeText',
  'migratePostgres',
  'postgresPoller',
  'postgresRepository',
  'validateSchemaName',
].sort()

describe.skipIf(!built)('the built package', () => {
  it('works from ESM', async () => {
    const mod = await import(new URL('index.js', dist).href)
    expect(Object.keys(mod).sort()).toEqual(EXPORTS)
    const repo = mod.postgresRepository({ connectionString: db.url() }, { schema: db.schema() })
    const { record } = await repo.create(newJob({ name: 'from dist' }))
    expect((await repo.get(record.id)).name).toBe('from dist')
    await repo.close()
  })

  it('works from CommonJS', async () => {
    const script = `
      const mv = require(${JSON.stringify(fileURLToPath(new URL('index.cjs', dist)))})
      const repo = mv.postgresRepository({ connectionString: process.argv[1] }, { schema: process.argv[2] })
      repo.create({ id: 'master_1_cjs00000', projectId: 'p', name: 'from cjs', shots: [{ assetId: 'a' }],
        maxAttempts: 1, encoding: {}, idempotencyKey: null, runAt: new Date() })
        .then(() => repo.get('master_1_cjs00000'))
        .then((r) => { console.log(JSON.stringify({ keys: Object.keys(mv).sort(), name: r.name })); return repo.close() })
    `
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, db.url(), db.schema()], {
      cwd: repoRoot,
    })
    expect(JSON.parse(stdout)).toEqual({ keys: EXPORTS, name: 'from cjs' })
  })
})
