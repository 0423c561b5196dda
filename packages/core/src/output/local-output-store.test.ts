import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { localOutputStore } from './local-output-store.js'
import type { OutputStore } from './output-store.js'

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
  it('sweep removes temporary and partial files older than the age given, and nothing else', async () => {
    const store = localOutputStore(dir)
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000)
    const old = [
      '.tmp-abcdefghij-master_1_abcdefgh_1.mp4',
      '..tmp-abcdefghij-master_1_abcdefgh_1.mp4.3f9a1c0b2d4e.partial',
      '..tmp-klmnopqrst-master_1_abcdefgh_1.jpg.0123456789ab.partial.jpg',
    ]
    const keep = [
      'master_1_abcdefgh_1.mp4', // committed, however old
      '.hidden-by-someone-else',
    ]
    for (const name of [...old, ...keep]) {
      await writeFile(path.join(dir, name), 'x')
      await utimes(path.join(dir, name), twoHoursAgo, twoHoursAgo)
    }
    await mkdir(path.join(dir, '.tmp-a-directory'))
    await utimes(path.join(dir, '.tmp-a-directory'), twoHoursAgo, twoHoursAgo)
    // A write in progress right now, here or on another machine sharing the folder.
    const live = await store.prepare('master_2_abcdefgh_2.mp4')
    await writeFile(live.path, 'in progress')
    await writeFile(path.join(dir, `.${path.basename(live.path)}.aaaaaaaaaaaa.partial`), 'ffmpeg writing')

    expect((await store.sweep?.(60 * 60_000))?.sort()).toEqual([...old].sort())
    expect((await readdir(dir)).sort()).toEqual(
      [
        ...keep,
        '.tmp-a-directory',
        path.basename(live.path),
        `.${path.basename(live.path)}.aaaaaaaaaaaa.partial`,
      ].sort(),
    )
    expect(await live.commit()).toMatchObject({ key: 'master_2_abcdefgh_2.mp4' })
    expect(await localOutputStore(path.join(dir, 'not-yet')).sweep?.(0)).toEqual([])
  })

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
      await expect(store.read?.(key, { start: 0, end: 0 })).rejects.toMatchObject({ code: 'VALIDATION' })
    },
  )

  describe('read', () => {
    const bytes = randomBytes(300_000)
    let store: OutputStore
    beforeEach(async () => {
      store = localOutputStore(dir)
      const pending = await store.prepare('v.mp4')
      await writeFile(pending.path, bytes)
      await pending.commit()
    })

    it.each([
      ['the first byte', 0, 0],
      ['a 64 KiB seek', 100_000, 165_535],
      ['the last byte', 299_999, 299_999],
      ['the whole file', 0, 299_999],
    ])('returns %s, the same bytes as the read stream', async (_, start, end) => {
      const read = await store.read?.('v.mp4', { start, end })
      const chunks: Buffer[] = []
      for await (const chunk of await store.createReadStream('v.mp4', { start, end })) chunks.push(chunk)
      const streamed = Buffer.concat(chunks)
      expect(read?.equals(bytes.subarray(start, end + 1))).toBe(true)
      expect(read?.equals(streamed)).toBe(true)
    })

    it('stops at the end of the file, as the stream does', async () => {
      const read = await store.read?.('v.mp4', { start: 299_990, end: 400_000 })
      expect(read?.equals(bytes.subarray(299_990))).toBe(true)
    })

    it('rejects a missing key with NOT_FOUND, naming no path', async () => {
      const error = await store.read?.('none.mp4', { start: 0, end: 9 }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No output file none.mp4' })
    })

    it('leaves no file descriptor open', async () => {
      const open = () => readdirSync('/proc/self/fd').length
      if (!existsSync('/proc/self/fd')) return
      const before = open()
      await Promise.all(Array.from({ length: 20 }, () => store.read?.('v.mp4', { start: 0, end: 9 })))
      await store.read?.('none.mp4', { start: 0, end: 9 }).catch(() => {})
      expect(open()).toBeLessThanOrEqual(before)
    })
  })
})
