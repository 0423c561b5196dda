import './cjs-conditions.js'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore } from '@mastervideo/core'
import { newLeaseToken } from '@mastervideo/core/adapter'
import { newJob, testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresRepository } from '../src/index.js'
import { type FaultProxy, startFaultProxy, targetOf } from './fault-proxy.js'
import { usePostgres } from './helpers.js'

// The writes whose reply is lost after the database committed them: the
// proxy lets one statement through and cuts the connection at the first byte
// of the answer. The repository must learn what happened instead of guessing.
const db = usePostgres()
let dir: string
let clip: string
let proxy: FaultProxy
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-lost-reply-'))
  clip = await writeTestClip(path.join(dir, 'clip.bin'), {}, 64)
  proxy = await startFaultProxy(targetOf(db.url()))
})
afterAll(async () => {
  await proxy?.close()
  await rm(dir, { recursive: true, force: true })
})

const has =
  (...parts: string[]) =>
  (chunk: Buffer) =>
    parts.every((part) => chunk.includes(part))

/** A repository whose connections go through the proxy, on a fresh schema. */
async function proxied() {
  const schema = db.schema()
  const repository = postgresRepository({ connectionString: proxy.url(db.url()) }, { schema })
  await repository.ready()
  const direct = postgresRepository({ connectionString: db.url() }, { schema })
  return { schema, repository, direct }
}

describe('a write that committed but whose reply was lost', () => {
  it('complete(): the video survives and the record is completed naming it', async () => {
    const { repository, direct } = await proxied()
    const out = path.join(dir, 'complete-out')
    const mv = createMasterVideos({
      repository,
      transcoder: testTranscoder({ durationMs: 50 }),
      assets: () => clip,
      output: localOutputStore(out),
    })
    const before = proxy.counts.cutReplies
    const cut = proxy.cutReplyAfter(has('mv_cas_', 'completed'))
    const worker = mv.worker({ leaseMs: 5000 }).start()
    const job = await mv.create({ projectId: 'p1', name: 'lost-reply', shots: ['a'] })
    const done = await mv.waitFor(job.id, { timeoutMs: 20_000 })
    await cut
    expect(proxy.counts.cutReplies).toBe(before + 1)

    const stored = await direct.get(job.id)
    expect(stored).toMatchObject({ status: 'completed', attempts: 1, error: null })
    expect(stored?.output?.key).toBe(done.output?.key)
    const key = stored?.output?.key ?? ''
    expect(existsSync(path.join(out, key))).toBe(true)
    // Nothing else was committed: one video, and its poster.
    expect((await readdir(out)).filter((f) => f.endsWith('.mp4'))).toEqual([key])
    await worker.stop()
    await mv.close()
    await direct.close()
  })

  it('claim(): the re-sent claim returns the job it already took, no attempt lost, the next job untouched', async () => {
    const { repository, direct } = await proxied()
    const first = (await direct.create(newJob({ maxAttempts: 1 }))).record
    const second = (await direct.create(newJob({ maxAttempts: 1 }))).record
    const cut = proxy.cutReplyAfter(has('mv_claim_'))
    const leaseToken = newLeaseToken()
    const claimed = await repository.claim({ workerId: 'w1', leaseToken, leaseMs: 60_000 })
    await cut
    expect(claimed?.record).toMatchObject({ id: first.id, status: 'processing', attempts: 1, leaseToken })
    expect(await direct.get(second.id)).toMatchObject({ status: 'created', attempts: 0 })
    // The maxAttempts: 1 job still runs to the end under that claim.
    const lease = claimed?.lease
    if (!lease) throw new Error('no lease')
    const output = { key: 'k.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }
    expect(await repository.complete(lease, { output, thumbnailKey: null })).toMatchObject({
      status: 'completed',
      attempts: 1,
    })
    await repository.close()
    await direct.close()
  })

  it('claim() through a worker: a maxAttempts: 1 job whose claim reply was lost runs once and completes', async () => {
    const { repository, direct } = await proxied()
    const mv = createMasterVideos({
      repository,
      transcoder: testTranscoder({ durationMs: 50 }),
      assets: () => clip,
      output: localOutputStore(path.join(dir, 'claim-out')),
    })
    const cut = proxy.cutReplyAfter(has('mv_claim_'))
    const job = await mv.create({ projectId: 'p1', name: 'lost-claim', shots: ['a'], maxAttempts: 1 })
    const worker = mv.worker({ leaseMs: 5000 }).start()
    await cut
    const done = await mv.waitFor(job.id, { timeoutMs: 20_000 })
    expect(done).toMatchObject({ status: 'completed', attempts: 1 })
    await worker.stop()
    await mv.close()
    await direct.close()
  })

  it('complete(), fail() and release() on the repository: recognised as landed, not refused as LEASE_LOST', async () => {
    const { repository, direct } = await proxied()
    const a = (await direct.create(newJob())).record
    const claimedA = await repository.claim({ workerId: 'w1', leaseToken: newLeaseToken(), leaseMs: 60_000 })
    expect(claimedA?.record.id).toBe(a.id)
    const cutFail = proxy.cutReplyAfter(has('mv_cas_', 'failed'))
    const failed = await repository.fail(claimedA!.lease, { code: 'INPUT_INVALID', message: 'bad clip' })
    await cutFail
    expect(failed).toMatchObject({ id: a.id, status: 'failed', attempts: 1 })

    const b = (await direct.create(newJob())).record
    const claimedB = await repository.claim({ workerId: 'w1', leaseToken: newLeaseToken(), leaseMs: 60_000 })
    expect(claimedB?.record.id).toBe(b.id)
    const cutRelease = proxy.cutReplyAfter(has('mv_cas_', 'created'))
    const released = await repository.release(claimedB!.lease)
    await cutRelease
    expect(released).toMatchObject({ id: b.id, status: 'created', attempts: 0 })

    const claimedC = await repository.claim({ workerId: 'w1', leaseToken: newLeaseToken(), leaseMs: 60_000 })
    expect(claimedC?.record.id).toBe(b.id)
    const output = { key: 'c.mp4', size: 1, durationSec: 1, width: 2, height: 2, strategy: 'copy' as const }
    const cutComplete = proxy.cutReplyAfter(has('mv_cas_', 'completed'))
    const completed = await repository.complete(claimedC!.lease, { output, thumbnailKey: null })
    await cutComplete
    expect(completed).toMatchObject({ id: b.id, status: 'completed', output: { key: 'c.mp4' } })
    await repository.close()
    await direct.close()
  })
})
