// Runs the error-reporting example in its own process against a fake of
// Sentry's envelope endpoint, on a folder with one real clip and one corrupt
// .mp4: the job fails for real in ffprobe. The event Sentry receives carries
// the code and ffmpeg's stderr tail; the job's HTTP JSON carries neither the
// stderr nor the server path.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ffmpegTranscoder, resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, directoryAssets, localOutputStore } from '@mastervideo/core'
import { masterVideoRoutes } from '@mastervideo/http-hono'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeSentry, fakeSentry } from './fake-sentry.js'

const example = path.resolve(import.meta.dirname, '..')
let dir: string
let sentry: FakeSentry

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-errors-'))
  sentry = await fakeSentry()
})
afterAll(async () => {
  await sentry?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('examples/error-reporting', () => {
  it('sends a failed job to Sentry with its code and the ffmpeg stderr tail; the client JSON has neither stderr nor path', {
    timeout: 120_000,
  }, async () => {
    const clips = path.join(dir, 'clips')
    await mkdir(clips)
    const { ffmpeg } = await resolveBinaries({})
    await execa(ffmpeg, [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25:duration=1',
      ],
      ...['-pix_fmt', 'yuv420p', path.join(clips, '01-good.mp4')],
    ])
    // Garbage where a video should be.
    await writeFile(path.join(clips, '02-corrupt.mp4'), Buffer.from('this is not a video '.repeat(500)))

    const data = path.join(dir, 'data')
    const result = await execa(
      process.execPath,
      ['--conditions=@mastervideo/source', '--import', 'tsx', 'src/main.ts', clips, data],
      { cwd: example, env: { SENTRY_DSN: sentry.dsn, SENTRY_RELEASE: 'test-release' }, reject: false },
    )
    expect(result.exitCode, result.stderr).toBe(1)
    const jobId = /^job (\S+)$/m.exec(result.stdout)?.[1] as string
    expect(jobId).toMatch(/^master_/)
    expect(result.stderr).toMatch(/^failed: INPUT_INVALID: "02-corrupt\.mp4" is not a video we accept/m)

    // The event: the error, tagged; ffmpeg's stderr as context and attachment.
    expect(sentry.paths).toContain('POST /api/1/envelope/')
    const event = sentry.items.find((item) => item.header.type === 'event')?.json as {
      release: string
      tags: Record<string, string>
      exception: { values: Array<{ type: string; value: string }> }
      contexts: { ffmpeg?: { stderr: string }; mastervideo?: { name: string } }
    }
    expect(event, JSON.stringify(sentry.items.map((i) => i.header))).toBeDefined()
    expect(event.release).toBe('test-release')
    expect(event.tags).toMatchObject({
      'mastervideo.code': 'INPUT_INVALID',
      'mastervideo.job_id': jobId,
      'mastervideo.project': 'errors',
      'mastervideo.attempt': '1',
      'mastervideo.origin': '@mastervideo/adapter-ffmpeg',
    })
    expect(event.exception.values.at(-1)?.type).toBe('InputInvalidError')
    expect(event.exception.values.at(-1)?.value).toContain('"02-corrupt.mp4" is not a video we accept')
    const stderr = event.contexts.ffmpeg?.stderr ?? ''
    expect(stderr).toContain('Invalid data found when processing input')
    expect(stderr).toContain(path.join(clips, '02-corrupt.mp4'))
    const attachment = sentry.items.find((item) => item.header.type === 'attachment')
    expect(attachment?.header).toMatchObject({ filename: 'ffmpeg-stderr.txt', content_type: 'text/plain' })
    expect(attachment?.payload.toString('utf8')).toBe(stderr)

    // The same job as a client reads it over HTTP.
    const mv = createMasterVideos({
      repository: sqliteRepository({ filename: path.join(data, 'jobs.sqlite') }),
      transcoder: ffmpegTranscoder(),
      assets: directoryAssets(clips),
      output: localOutputStore(path.join(data, 'master-videos')),
    })
    try {
      const response = await masterVideoRoutes(mv).request(`/errors/master-videos/${jobId}`)
      expect(response.status).toBe(200)
      const text = await response.text()
      const json = JSON.parse(text) as { status: string; error: { code: string; message: string } }
      expect(json.status).toBe('failed')
      expect(json.error.code).toBe('INPUT_INVALID')
      expect(text).not.toContain('Invalid data found')
      expect(text).not.toContain(clips)
      expect(text).not.toContain('stderr')
    } finally {
      await mv.close()
    }
  })
})
