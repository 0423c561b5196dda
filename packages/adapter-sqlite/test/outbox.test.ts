import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { webhookEventId } from '@mastervideo/core/adapter'
import { newJob, outboxConformance } from '@mastervideo/core/testing'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, sqliteRepository } from '../src/index.js'

let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-outbox-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

outboxConformance({
  name: 'sqlite (file, WAL)',
  create: () => sqliteRepository({ filename: path.join(dir, `outbox-${n++}.sqlite`) }),
})

outboxConformance({
  name: 'sqlite (tablePrefix mv_)',
  create: () =>
    sqliteRepository({ filename: path.join(dir, `outbox-${n++}.sqlite`) }, { tablePrefix: 'mv_' }),
})

describe('upgrading a file written by schema version 2', () => {
  it('adds the outbox tables; jobs finished after the upgrade report', async () => {
    const file = path.join(dir, `outbox-${n++}.sqlite`)
    const first = sqliteRepository({ filename: file })
    const { record } = await first.create(newJob())
    await first.close()
    const db = new Database(file)
    for (const table of ['outbox_events', 'outbox_endpoints', 'outbox_deliveries']) {
      db.exec(`DROP TABLE mastervideo_${table}`)
    }
    db.exec('DELETE FROM mastervideo_migrations WHERE version > 2')
    db.close()

    const upgraded = sqliteRepository({ filename: file })
    await upgraded.outbox.registerEndpoints(['a'])
    const canceled = await upgraded.cancel(record.id)
    expect(await upgraded.outbox.list()).toMatchObject([
      { eventId: webhookEventId('master_video.canceled', canceled), status: 'pending' },
    ])
    expect(upgraded.database.prepare('SELECT MAX(version) AS v FROM mastervideo_migrations').get()).toEqual({
      v: SCHEMA_VERSION,
    })
    await upgraded.close()
  })

  it('a transition rolled back writes no event', async () => {
    const repository = sqliteRepository({ filename: path.join(dir, `outbox-${n++}.sqlite`) })
    await repository.outbox.registerEndpoints(['a'])
    const { record } = await repository.create(newJob())
    // A host transaction on the shared connection that rolls back takes the cancel and its event with it.
    repository.database.exec('BEGIN')
    await repository.cancel(record.id)
    repository.database.exec('ROLLBACK')
    expect((await repository.get(record.id))?.status).toBe('created')
    expect(await repository.outbox.counts()).toEqual({ pending: 0, delivered: 0, dead: 0 })
    await repository.close()
  })
})
