import type { BigIntStats } from 'node:fs'
import type { ProbeResult } from '@mastervideo/core'
import { describe, expect, it } from 'vitest'
import { probeCache } from './probe-cache.js'

const S = 1_000_000_000n // one second in nanoseconds
const NOW = 1_700_000_000n * S

/** Just the fields the cache reads: a file last changed `ageSec` before NOW. */
function stats(changes: Partial<Record<'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs', bigint>> = {}) {
  return {
    dev: 1n,
    ino: 42n,
    size: 1000n,
    mtimeNs: NOW - 10n * S,
    ctimeNs: NOW - 10n * S,
    ...changes,
  } as BigIntStats
}

function probeOf(file: string): ProbeResult {
  return {
    path: file,
    durationSec: 1,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: 1000,
    streams: [{ index: 0, type: 'video', codec: 'h264', width: 320, height: 240 }],
  }
}

describe('probeCache', () => {
  it('returns a remembered probe for the same version of the file, under the name asked for', () => {
    const cache = probeCache()
    cache.set('/v/a.mp4', stats(), probeOf('/v/a.mp4'), NOW)
    expect(cache.get('/v/a.mp4', stats(), 'a.mp4')).toEqual({ ...probeOf('/v/a.mp4'), path: 'a.mp4' })
  })

  it('misses when anything identifying the version changed: size, mtime, ctime, inode, device', () => {
    // Tried: the same path after a same-size rewrite (mtime), a chmod or a
    // forged mtime (ctime), a rename of another file over it (inode), a remount (device).
    const cache = probeCache()
    cache.set('/v/a.mp4', stats(), probeOf('/v/a.mp4'), NOW)
    for (const changed of [
      { size: 999n },
      { mtimeNs: NOW - 10n * S + 1n },
      { ctimeNs: NOW - 10n * S + 1n },
      { ino: 43n },
      { dev: 2n },
    ]) {
      expect(cache.get('/v/a.mp4', stats(changed), 'a.mp4')).toBeUndefined()
    }
    // A miss forgets the entry: the old version is not served again either.
    expect(cache.get('/v/a.mp4', stats(), 'a.mp4')).toBeUndefined()
  })

  it('does not keep a probe of a file changed less than 2 s before the probe started (racily clean)', () => {
    const cache = probeCache()
    const recent = stats({ ctimeNs: NOW - S, mtimeNs: NOW - S })
    cache.set('/v/a.mp4', recent, probeOf('/v/a.mp4'), NOW)
    expect(cache.get('/v/a.mp4', recent, 'a.mp4')).toBeUndefined()
    // A file times claim is in the future (another clock, a forged mtime) is not kept either.
    const future = stats({ mtimeNs: NOW + 10n * S })
    cache.set('/v/b.mp4', future, probeOf('/v/b.mp4'), NOW)
    expect(cache.get('/v/b.mp4', future, 'b.mp4')).toBeUndefined()
  })

  it('hands out copies: editing one result does not change the next', () => {
    const cache = probeCache()
    cache.set('/v/a.mp4', stats(), probeOf('/v/a.mp4'), NOW)
    const first = cache.get('/v/a.mp4', stats(), 'a.mp4') as ProbeResult
    ;(first.streams[0] as { width?: number }).width = 1
    first.durationSec = 99
    expect(cache.get('/v/a.mp4', stats(), 'a.mp4')).toMatchObject({
      durationSec: 1,
      streams: [{ width: 320 }],
    })
  })

  it('holds at most `limit` files, dropping the least recently used', () => {
    const cache = probeCache(2)
    for (const name of ['a', 'b']) cache.set(`/v/${name}`, stats(), probeOf(`/v/${name}`), NOW)
    cache.get('/v/a', stats(), 'a') // a is now the most recent
    cache.set('/v/c', stats(), probeOf('/v/c'), NOW)
    expect(cache.get('/v/b', stats(), 'b')).toBeUndefined()
    expect(cache.get('/v/a', stats(), 'a')).toBeDefined()
    expect(cache.get('/v/c', stats(), 'c')).toBeDefined()
  })
})
