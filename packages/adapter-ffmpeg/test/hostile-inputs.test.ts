import { closeSync, constants, openSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { FFMPEG, makeClip } from './fixtures.js'

const transcoder = ffmpegTranscoder()
let dir: string
let good: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-hostile-'))
  good = await makeClip(path.join(dir, 'good.mp4'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/**
 * A named pipe that tells whether anyone opened it for reading. Opening a
 * FIFO for writing without blocking fails (ENXIO) while no reader has it open,
 * so polling that open catches a reader the moment it appears.
 */
async function tripwire(file: string): Promise<{ opened: () => boolean; stop: () => void }> {
  await execa('mkfifo', [file])
  let opened = false
  const timer = setInterval(() => {
    try {
      closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK))
      opened = true // Closing unblocks the reader with an empty file.
    } catch {
      // ENXIO: nobody is reading.
    }
  }, 5)
  return { opened: () => opened, stop: () => clearInterval(timer) }
}

async function concatError(bad: string, out: string): Promise<unknown> {
  return transcoder
    .concat({ inputs: [{ path: good }, { path: bad }], output: out, strategy: 'copy' })
    .catch((error: unknown) => error)
}

async function caseDir(name: string): Promise<string> {
  const d = path.join(dir, name)
  await mkdir(d)
  return d
}

describe('untrusted clips', () => {
  it('control: the bundled ffmpeg, unrestricted, does follow an HLS playlist named .mp4 (the tripwire works)', async () => {
    const d = await caseDir('control')
    const wire = await tripwire(path.join(d, 'secret.ts'))
    await writeFile(
      path.join(d, 'playlist.mp4'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${path.join(d, 'secret.ts')}\n#EXT-X-ENDLIST\n`,
    )
    await execa(FFMPEG, ['-v', 'error', '-i', path.join(d, 'playlist.mp4'), '-f', 'null', '-'], {
      reject: false,
      timeout: 10_000,
    })
    wire.stop()
    expect(wire.opened()).toBe(true)
  })

  it('refuses an HLS playlist named .mp4 (or .m3u8) that points at /etc/passwd: INPUT_INVALID, nothing read', async () => {
    // Tried: a playlist whose segments are /etc/passwd (as a file: URL and a
    // path) and a named pipe that records any reader; named .mp4, and named
    // .m3u8 (which ffprobe does recognize as HLS: the demuxer allow-list stops it).
    for (const name of ['clip.mp4', 'clip.m3u8']) {
      const d = await caseDir(`hls-${name}`)
      const wire = await tripwire(path.join(d, 'secret.ts'))
      const playlist = path.join(d, name)
      await writeFile(
        playlist,
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:10',
          '#EXTINF:10,',
          'file:///etc/passwd',
          '#EXTINF:10,',
          '/etc/passwd',
          '#EXTINF:10,',
          path.join(d, 'secret.ts'),
          '#EXT-X-ENDLIST',
          '',
        ].join('\n'),
      )
      const error = await concatError(playlist, path.join(d, 'out.mp4'))
      wire.stop()
      expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
      expect((error as Error).message).toContain(name)
      expect(wire.opened()).toBe(false)
      expect((await readdir(d)).sort()).toEqual([name, 'secret.ts'])
    }
  })

  it('holds every ffmpeg input to local files and the allowed demuxers', async () => {
    const plans = await Promise.all([
      transcoder.plan([{ path: good }, { path: good }]),
      transcoder.plan([{ path: good }, { path: good }], { strategy: 'reencode' }),
    ])
    for (const { args } of plans) {
      const inputs = args.flatMap((arg, i) => (arg === '-i' ? [i] : []))
      expect(inputs.length).toBeGreaterThan(0)
      for (const i of inputs) {
        const before = args.slice(0, i)
        expect(before[before.lastIndexOf('-protocol_whitelist') + 1]).toBe('file')
        expect(before[before.lastIndexOf('-format_whitelist') + 1]).not.toMatch(/hls|applehttp|image2|lavfi/)
        expect(args[i + 1]).toMatch(/^file:\//)
      }
    }
  })

  it('refuses a concat list named .mp4: INPUT_INVALID, nothing read', async () => {
    // Tried: an ffconcat list naming a pipe beside it (a relative name passes the demuxer's safe mode).
    const d = await caseDir('ffconcat')
    const wire = await tripwire(path.join(d, 'secret.ts'))
    const list = path.join(d, 'clip.mp4')
    await writeFile(list, 'ffconcat version 1.0\nfile secret.ts\nfile /etc/passwd\n')
    const error = await concatError(list, path.join(d, 'out.mp4'))
    wire.stop()
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect(wire.opened()).toBe(false)
  })

  it('refuses a text file named .mp4 and leaves it untouched', async () => {
    const d = await caseDir('text')
    const text = path.join(d, 'notes.mp4')
    await writeFile(text, 'not a video, just words\n')
    const error = await concatError(text, path.join(d, 'out.mp4'))
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toBe('"notes.mp4" is not a video we accept: ffprobe cannot read it')
    expect(isMasterVideoError(error) && error.details?.stderr).toEqual(
      expect.arrayContaining([expect.stringMatching(/Invalid data found when processing input/)]),
    )
    expect(await readFile(text, 'utf8')).toBe('not a video, just words\n')
    expect(await readdir(d)).toEqual(['notes.mp4'])
  })

  it('refuses a file cut short before its index (moov at the end, upload interrupted)', async () => {
    const d = await caseDir('truncated')
    const whole = await readFile(good)
    const cut = path.join(d, 'cut.mp4')
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)))
    const error = await concatError(cut, path.join(d, 'out.mp4'))
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect(isMasterVideoError(error) && error.details?.stderr).toEqual(
      expect.arrayContaining([expect.stringMatching(/moov atom not found/)]),
    )
    expect((error as Error).message).not.toContain(d)
    expect(await readdir(d)).toEqual(['cut.mp4'])
  })

  it('refuses a faststart file cut short in its media data, which ffprobe alone would accept', async () => {
    const d = await caseDir('truncated-faststart')
    const faststart = path.join(d, 'faststart.mp4')
    await execa(FFMPEG, ['-v', 'error', '-i', good, '-c', 'copy', '-movflags', '+faststart', faststart])
    const whole = await readFile(faststart)
    const cut = path.join(d, 'cut.mp4')
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    const error = await concatError(cut, path.join(d, 'out.mp4'))
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toContain('truncated')
  })

  it('refuses an audio-only file, a directory, a named pipe and an empty file', async () => {
    const d = await caseDir('not-clips')
    const audioOnly = path.join(d, 'sound.m4a')
    await execa(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audioOnly])
    const folder = path.join(d, 'folder.mp4')
    await mkdir(folder)
    const pipe = path.join(d, 'pipe.mp4')
    await execa('mkfifo', [pipe])
    const empty = path.join(d, 'empty.mp4')
    await writeFile(empty, '')
    const reasons: Record<string, string> = {}
    for (const file of [audioOnly, folder, pipe, empty]) {
      const error = await transcoder.probe(file).catch((e: unknown) => e)
      expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
      reasons[path.basename(file)] = (error as Error).message.split(': ').at(-1) as string
    }
    expect(reasons).toEqual({
      'sound.m4a': 'it has no video stream',
      'folder.mp4': 'it is not a regular file',
      'pipe.mp4': 'it is not a regular file',
      'empty.mp4': 'it is empty',
    })
  })

  it('rejects a missing file with ASSET_NOT_FOUND before running anything', async () => {
    const d = await caseDir('missing')
    const error = await concatError(path.join(d, 'gone.mp4'), path.join(d, 'out.mp4'))
    expect(isMasterVideoError(error) && error.code).toBe('ASSET_NOT_FOUND')
    expect(await readdir(d)).toEqual([])
  })

  it('refuses a container outside the allow-list even when ffprobe reads it (a GIF named .mp4)', async () => {
    const d = await caseDir('gif')
    const gif = path.join(d, 'anim.mp4')
    await execa(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=0.2:s=64x48', '-f', 'gif', gif])
    const error = await transcoder.probe(gif).catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('INPUT_INVALID')
    expect((error as Error).message).toMatch(/gif/)
  })

  it('treats a name that looks like a URL as a file name', async () => {
    const d = await caseDir('url-name')
    const file = path.join(d, 'http:example.com.mp4')
    await copyFile(good, file)
    const probe = await transcoder.probe(file)
    expect(probe.container).toBe('mov,mp4,m4a,3gp,3g2,mj2')
  })
})
