// Smoke test of the published shape: the built ESM and CJS entry points load
// and expose the public API (Kysely-style: catch what only a build can break).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = path.resolve(import.meta.dirname, '../dist')
const require = createRequire(import.meta.url)

describe.runIf(existsSync(dist) || process.env.CI)('built dist of @mastervideo/core', () => {
  it('ESM and CJS builds export the same API, and both work', async () => {
    const esm = await import(path.join(dist, 'index.js'))
    const cjs = require(path.join(dist, 'index.cjs'))
    expect(Object.keys(esm).sort()).toEqual(Object.keys(cjs).sort())
    const adapterEsm = await import(path.join(dist, 'adapter/index.js'))
    const adapterCjs = require(path.join(dist, 'adapter/index.cjs'))
    expect(Object.keys(adapterEsm).sort()).toEqual(Object.keys(adapterCjs).sort())
    for (const adapter of [adapterEsm, adapterCjs])
      expect(adapter.transition('failed', 'retry')).toBe('created')
    for (const mod of [esm, cjs]) {
      expect(mod.canTransition('failed', 'retry')).toBe(true)
      const repo = mod.memoryRepository()
      const { record } = await repo.create({
        id: 'master_1_smoke000',
        projectId: 'p',
        name: 'n',
        shots: [{ assetId: 'a' }],
        maxAttempts: 3,
        encoding: {},
        idempotencyKey: null,
        runAt: new Date(),
      })
      expect(record.status).toBe('created')
    }
    const testing = await import(path.join(dist, 'testing/index.js'))
    expect(typeof testing.repositoryConformance).toBe('function')
    // ESM only: vitest, which the suites import, has no CommonJS build.
    expect(existsSync(path.join(dist, 'testing/index.cjs'))).toBe(false)
  })
})
