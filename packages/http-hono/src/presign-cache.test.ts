import type { OutputStore } from '@mastervideo/core'
import { describe, expect, it } from 'vitest'
import type { PresigningOutputStore } from './job-files.js'
import { presignCache } from './presign-cache.js'

function countingStore(fail = false) {
  let signed = 0
  const store = {
    async presign(key: string) {
      signed++
      if (fail) throw new Error('no credentials')
      return `https://s3.example/${key}?n=${signed}`
    },
  } as unknown as PresigningOutputStore & OutputStore
  return { store, signed: () => signed }
}

const video = { expiresInSec: 3600, contentType: 'video/mp4' }

describe('presignCache', () => {
  it('reuses one URL per file and request for a tenth of its lifetime, at most 60 s', async () => {
    let now = 0
    const cache = presignCache(() => now)
    const { store, signed } = countingStore()
    const first = await cache.presign(store, 'a.mp4', video)
    expect(await cache.presign(store, 'a.mp4', video)).toBe(first)
    now = 59_999
    expect(await cache.presign(store, 'a.mp4', video)).toBe(first)
    now = 60_000
    expect(await cache.presign(store, 'a.mp4', video)).not.toBe(first)
    expect(signed()).toBe(2)
    // A 100 s lifetime: reused for 10 s only.
    await cache.presign(store, 'a.mp4', { ...video, expiresInSec: 100 })
    now += 10_000
    await cache.presign(store, 'a.mp4', { ...video, expiresInSec: 100 })
    expect(signed()).toBe(4)
  })

  it('keeps files, lifetimes and dispositions apart', async () => {
    const cache = presignCache(() => 0)
    const { store, signed } = countingStore()
    await cache.presign(store, 'a.mp4', video)
    await cache.presign(store, 'b.mp4', video)
    await cache.presign(store, 'a.mp4', { ...video, contentDisposition: 'attachment; filename="a.mp4"' })
    await cache.presign(store, 'a.mp4', { ...video, expiresInSec: 60 })
    expect(signed()).toBe(4)
  })

  it('does not keep a failed signature', async () => {
    const cache = presignCache(() => 0)
    const { store, signed } = countingStore(true)
    await expect(cache.presign(store, 'a.mp4', video)).rejects.toThrow('no credentials')
    await expect(cache.presign(store, 'a.mp4', video)).rejects.toThrow('no credentials')
    expect(signed()).toBe(2)
  })
})
