// SQLite-specific hostile input, beyond the conformance suite's round-trip:
// NUL bytes inside keys (a C-string binding would cut them), strings shaped
// like SQL parameters or JSON, unpaired surrogates (not storable as UTF-8).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { newJob } from '@mastervideo/core/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type SqliteRepository, sqliteRepository } from '../src/index.js'

let dir: string
let repo: SqliteRepository
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-hostile-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => {
  repo = sqliteRepository({ filename: path.join(dir, `h-${n++}.sqlite`) })
})
afterEach(async () => {
  await repo.close()
})

describe('hostile strings', () => {
  const names = [
    'quote \' and " and `back` ; DROP TABLE mastervideo_jobs; --',
    'NUL \u0000 inside, and at the end \u0000',
    'params ? ?1 :now @workerId $leaseToken',
    '{"status":"completed","attempts":99}',
    'emoji 😀👩‍👩‍👧 Кириллица 中文 עברית',
    'x'.repeat(10_000),
    ' spaces kept ',
  ]
  it.each(names)('name %j round-trips exactly through create, get, list and a transition', async (name) => {
    const { record } = await repo.create(
      newJob({ name, shots: [{ assetId: name.replaceAll('\u0000', '') }] }),
    )
    expect((await repo.get(record.id))?.name).toBe(name)
    expect((await repo.list({ projectId: 'project-1' })).items[0]?.name).toBe(name)
    expect((await repo.cancel(record.id)).name).toBe(name)
    expect((await repo.get(record.id))?.shots).toEqual([{ assetId: name.replaceAll('\u0000', '') }])
  })

  it('idempotency keys that differ only after a NUL byte are different keys', async () => {
    const a = await repo.create(newJob({ idempotencyKey: 'key\u0000a' }))
    const b = await repo.create(newJob({ idempotencyKey: 'key\u0000b' }))
    const again = await repo.create(newJob({ idempotencyKey: 'key\u0000a' }))
    expect(b.created).toBe(true)
    expect(b.record.id).not.toBe(a.record.id)
    expect(again).toMatchObject({ created: false, record: { id: a.record.id, idempotencyKey: 'key\u0000a' } })
  })

  it('project ids that differ only after a NUL byte list apart', async () => {
    await repo.create(newJob({ projectId: 'p\u0000one' }))
    await repo.create(newJob({ projectId: 'p\u0000two' }))
    expect((await repo.list({ projectId: 'p\u0000one' })).items).toHaveLength(1)
    expect((await repo.list({ projectId: 'p' })).items).toHaveLength(0)
  })

  it('a shot list with unpaired surrogates round-trips (JSON escapes them)', async () => {
    const shots = [{ assetId: 'half \ud800 pair' }, { assetId: 'other half \udc00' }]
    const { record } = await repo.create(newJob({ shots }))
    expect((await repo.get(record.id))?.shots).toEqual(shots)
  })

  it('refuses, with VALIDATION and nothing stored, a name with an unpaired surrogate SQLite cannot keep', async () => {
    const input = newJob({ name: 'broken \ud800 name' })
    await expect(repo.create(input)).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'name' } })
    expect(await repo.get(input.id)).toBeNull()
  })

  it('a job id full of SQL is only ever a bound value', async () => {
    const id = "master_1_x' OR '1'='1"
    await repo.create(newJob())
    expect(await repo.get(id)).toBeNull()
    expect(await repo.delete(id)).toBeNull()
    await expect(repo.cancel(id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await repo.list({ projectId: 'project-1' })).items).toHaveLength(1)
  })
})
