// GET /healthz answers what it checked: the database and the output folder.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  directoryAssets,
  localOutputStore,
  memoryRepository,
  type Repository,
  silentLogger,
} from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { standaloneApp } from '../src/server/standalone-app.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-healthz-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface HealthBody {
  ok: boolean
  checks: Record<'database' | 'output', { ok: boolean; reason?: string }>
}

function appWith(repository: Repository, outputDir: string) {
  const mv = createMasterVideos({
    repository,
    transcoder: testTranscoder(),
    assets: directoryAssets(dir),
    output: localOutputStore(outputDir),
  })
  return standaloneApp({
    mv,
    transcoder: mv.transcoder,
    assetsRoot: path.join(dir, 'assets'),
    cacheDir: path.join(dir, 'cache'),
    logger: silentLogger,
    health: () => ({ worker: null }),
  })
}

describe('GET /healthz', () => {
  it('answers 200 when the database reads and the output folder takes a file', async () => {
    const res = await appWith(memoryRepository(), path.join(dir, 'out')).request('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      ok: true,
      worker: null,
      checks: { database: { ok: true }, output: { ok: true } },
    })
  })

  it('answers 503 naming the database when it cannot be read', async () => {
    const broken: Repository = {
      ...memoryRepository(),
      get: async () => {
        throw new Error('SQLITE_CORRUPT: database disk image is malformed')
      },
    }
    const res = await appWith(broken, path.join(dir, 'out')).request('/healthz')
    expect(res.status).toBe(503)
    const body = (await res.json()) as HealthBody
    expect(body.ok).toBe(false)
    expect(body.checks.database).toEqual({
      ok: false,
      reason: 'the database: SQLITE_CORRUPT: database disk image is malformed',
    })
    expect(body.checks.output).toEqual({ ok: true })
  })

  it('answers 503 naming the output folder when it cannot be written, without its path', async () => {
    // A file where the folder should be: refused even for root, unlike a chmod.
    const blocker = path.join(dir, 'not-a-folder')
    await writeFile(blocker, 'x')
    const res = await appWith(memoryRepository(), path.join(blocker, 'out')).request('/healthz')
    expect(res.status).toBe(503)
    const body = (await res.json()) as HealthBody
    expect(body.checks.database).toEqual({ ok: true })
    expect(body.checks.output.ok).toBe(false)
    expect(body.checks.output.reason).toMatch(/^the output folder: /)
    expect(JSON.stringify(body)).not.toContain(dir)
  })
})
