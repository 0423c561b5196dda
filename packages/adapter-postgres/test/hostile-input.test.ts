import './cjs-conditions.js'
import { newJob } from '@mastervideo/core/testing'
import { describe, expect, it } from 'vitest'
import { decodeText } from '../src/index.js'
import { usePostgres } from './helpers.js'

const db = usePostgres()

// What we tried, in every string the repository stores (id, projectId, name,
// asset ids, idempotency key, worker id, lease token, error message, output
// and thumbnail keys, encoding preset): quotes and SQL, backslashes that look
// like our own escapes, NUL at the start, middle and end, the U+0001 marker
// our encoding uses, unpaired UTF-16 surrogates, emoji, Cyrillic, RTL text,
// and 10,000 characters.
const hostile = {
  sql: `qu'o"te; DROP TABLE master_videos;-- $1 $$ \\`,
  nul: '\u0000start mid\u0000dle end\u0000',
  marker: '\u0001looks\\0encoded\\\\',
  escapes: '\\0 \\u0000 \\\\',
  surrogates: 'half \ud83d pair and \ude00 low',
  emoji: '😀🎬👨‍👩‍👧 ',
  cyrillic: 'Кириллица и ёжик',
  rtl: 'עברית العربية',
  long: 'x'.repeat(10_000),
}
const all = Object.values(hostile).join('|')

describe('hostile strings round-trip exactly', () => {
  for (const [label, value] of Object.entries({ ...hostile, all })) {
    it(`${label}: through create, claim, heartbeat, fail, list and delete`, async () => {
      const repo = await db.repository()
      const input = newJob({
        id: `id ${value}`,
        projectId: `project ${value}`,
        name: value,
        shots: [{ assetId: value }, { assetId: `../../${value}` }],
        idempotencyKey: `key ${value}`,
        encoding: { preset: value },
      })
      const { record } = await repo.create(input)
      expect(record).toMatchObject({
        id: input.id,
        projectId: input.projectId,
        name: value,
        shots: input.shots,
        idempotencyKey: input.idempotencyKey,
        encoding: { preset: value },
      })
      // The idempotency key and project still match after encoding.
      const again = await repo.create(
        newJob({ projectId: input.projectId, idempotencyKey: input.idempotencyKey }),
      )
      expect(again).toMatchObject({ created: false, record: { id: input.id } })
      const listed = await repo.list({ projectId: input.projectId })
      expect(listed.items.map((r) => r.id)).toEqual([input.id])

      const claimed = await repo.claim({
        workerId: `worker ${value}`,
        leaseToken: `token ${value}`,
        leaseMs: 30_000,
      })
      expect(claimed?.record).toMatchObject({ leaseOwner: `worker ${value}`, leaseToken: `token ${value}` })
      const lease = claimed!.lease
      expect((await repo.heartbeat(lease, { leaseMs: 30_000, progress: 0.5 })).ok).toBe(true)
      const failed = await repo.fail(lease, { code: 'TRANSCODE_FAILED', message: value })
      expect(failed.error).toEqual({ code: 'TRANSCODE_FAILED', message: value })

      await repo.retry(input.id)
      const second = await repo.claim({ workerId: 'w', leaseToken: 't', leaseMs: 30_000 })
      const output = {
        key: `out ${value}`,
        size: 1,
        durationSec: 1,
        width: 2,
        height: 2,
        strategy: 'copy' as const,
      }
      const done = await repo.complete(second!.lease, { output, thumbnailKey: `thumb ${value}` })
      expect(done).toMatchObject({ output, thumbnailKey: `thumb ${value}` })

      expect(await repo.get(input.id)).toEqual(done)
      expect((await repo.delete(input.id))?.name).toBe(value)
      await repo.close()
    })
  }

  it('stores ordinary text verbatim and unstorable text encoded, as documented', async () => {
    const repo = await db.repository()
    const plain = newJob({ name: 'Кириллица 😀 C:\\videos' })
    const nul = newJob({ name: hostile.nul })
    await repo.create(plain)
    await repo.create(nul)
    const read = async (id: string) =>
      (await db.admin().query(`SELECT name FROM ${repo.schema}.master_videos WHERE id = $1`, [id])).rows[0]
        .name
    expect(await read(plain.id)).toBe(plain.name)
    const stored = await read(nul.id)
    expect(stored).not.toContain('\u0000')
    expect(decodeText(stored)).toBe(hostile.nul)
    await repo.close()
  })

  it('keeps strings that differ only in what the encoding escapes apart', async () => {
    const repo = await db.repository()
    const names = ['a\u0000', '\u0001a\\0', 'a\\0', 'a\ud800', 'a\\ud800', 'a\ufffd']
    for (const name of names) await repo.create(newJob({ projectId: name, idempotencyKey: name, name }))
    for (const name of names) {
      const page = await repo.list({ projectId: name })
      expect(page.items.map((r) => r.name)).toEqual([name])
    }
    await repo.close()
  })
})
