import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { localOutputStore } from './local-output-store.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-out-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function read(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

describe('localOutputStore', () => {
  it('shows nothing under the key until commit, then the whole file', async () => {
    const store = localOutputStore(path.join(dir, 'nested', 'out'))
    const pending = await store.prepare('master_1_abc_2.mp4')
    expect(pending.path.endsWith('.mp4')).toBe(true)
    await writeFile(pending.path, '0123456789')
    expect(await store.stat('master_1_abc_2.mp4')).toBeNull()
    const stored = await pending.commit()
    expect(stored).toMatchObject({ key: 'master_1_abc_2.mp4', size: 10 })
    expect(await readdir(path.join(dir, 'nested', 'out'))).toEqual(['master_1_abc_2.mp4'])
    expect(await read(await store.createReadStream('master_1_abc_2.mp4'))).toBe('0123456789')
    expect(await read(await store.createReadStream('master_1_abc_2.mp4', { start: 2, end: 4 }))).toBe('234')
    expect(await readFile(store.localPath?.('master_1_abc_2.mp4') as string, 'utf8')).toBe('0123456789')
  })

  it('discard removes the temporary file; delete is idempotent', async () => {
    const store = localOutputStore(dir)
    const pending = await store.prepare('a.mp4')
    await writeFile(pending.path, 'x')
    await pending.discard()
    await pending.discard()
    expect(await readdir(dir)).toEqual([])
    await store.delete('a.mp4')
  })

  it('commit without a written file is a STORAGE error', async () => {
    const store = localOutputStore(dir)
    const pending = await store.prepare('a.mp4')
    await expect(pending.commit()).rejects.toMatchObject({ code: 'STORAGE' })
  })

  it('reading a missing key is NOT_FOUND', async () => {
    await expect(localOutputStore(dir).createReadStream('none.mp4')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it.each(['../escape.mp4', 'a/b.mp4', '/etc/passwd', '.hidden', 'a\u0000b', '', 'x'.repeat(300)])(
    'refuses the key %j with VALIDATION',
    async (key) => {
      const store = localOutputStore(dir)
      await expect(store.prepare(key)).rejects.toMatchObject({ code: 'VALIDATION' })
      await expect(store.stat(key)).rejects.toMatchObject({ code: 'VALIDATION' })
      await expect(store.delete(key)).rejects.toMatchObject({ code: 'VALIDATION' })
    },
  )
})
