// A completed job with a real ladder, made by running ffmpeg in the test's
// setup: a 320x240 master of 2 s, two renditions (180p, 120p) and an HLS
// ladder of the same two in CMAF (fMP4) segments of 1 s, every file committed
// to a local OutputStore under flat keys as the worker writes them
// (`<id>_<ts>_hls.m3u8`, `<id>_<ts>_hls_180p.m3u8`, `…_180p_init.mp4`,
// `…_180p_00001.m4s`). The routes only read the record and the store, so the
// record is crafted here; the service's `get` returns it.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  createMasterVideos,
  type HlsVariant,
  localOutputStore,
  type MasterVideo,
  type MasterVideos,
  memoryRepository,
  type OutputStore,
  type RenditionOutput,
} from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { resolveBinaries } from '../../adapter-ffmpeg/src/ffmpeg-binaries.js'

const run = promisify(execFile)

/** The part of m3u8-parser's manifest the tests read (the package ships no types). */
export interface Manifest {
  playlists?: Array<{ uri: string; attributes: Record<string, unknown> }>
  segments: Array<{ uri: string; duration: number; map?: { uri: string } }>
  endList?: boolean
}
interface M3u8Parser {
  push(text: string): void
  end(): void
  manifest: Manifest
}
const { Parser } = createRequire(import.meta.url)('m3u8-parser') as { Parser: new () => M3u8Parser }

/** What {@link ladderFixture} made. */
export interface LadderFixture {
  dir: string
  /** The service, whose `get` returns {@link LadderFixture.record} for its id. */
  mv: MasterVideos
  output: OutputStore
  /** The completed job, project `p1`, with 2 renditions and an HLS ladder. */
  record: MasterVideo
  /** A job of the same project that is still `created`. */
  pending: MasterVideo
  /** Every key the ladder wrote, master playlist first. */
  hlsKeys: string[]
  /** The bytes of a stored file. */
  bytes(key: string): Promise<Buffer>
  close(): Promise<void>
}

/** The rendition ladder: name, width, height. */
const LADDER = [
  ['180p', 240, 180],
  ['120p', 160, 120],
] as const

/** Parses a playlist with m3u8-parser (what the tests check the served playlists with). */
export function parsePlaylist(text: string): Manifest {
  const parser = new Parser()
  parser.push(text)
  parser.end()
  return parser.manifest
}

/** Reads a whole stored file through the store's stream (any store). */
async function readStored(output: OutputStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await output.createReadStream(key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Makes the ladder into `options.output` (default: a local store in the fixture's temp dir). */
export async function ladderFixture(options: { output?: OutputStore } = {}): Promise<LadderFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-'))
  const work = path.join(dir, 'work')
  await mkdir(work)
  const output = options.output ?? localOutputStore(path.join(dir, 'out'))
  const inner = createMasterVideos({
    repository: memoryRepository(),
    transcoder: testTranscoder(),
    assets: (shot) => path.join(dir, shot.assetId),
    output,
  })
  const job = await inner.create({ projectId: 'p1', name: 'Ladder «1»', shots: ['a.mp4'] })
  const pending = await inner.create({ projectId: 'p1', name: 'Pending', shots: ['b.mp4'] })
  const prefix = `${job.id}_${Date.now()}`

  const { ffmpeg } = await resolveBinaries({})
  const source = [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=24:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
  ]
  // Keyframes every second, so each segment starts with one.
  const video = (crf: number) => [
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(crf), '-pix_fmt', 'yuv420p'],
    ...['-g', '24', '-keyint_min', '24', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '64k', '-ac', '2'],
  ]
  const outputs: string[] = [
    ...[
      '-map',
      '0:v',
      '-map',
      '1:a',
      ...video(23),
      '-movflags',
      '+faststart',
      path.join(work, `${prefix}.mp4`),
    ],
  ]
  for (const [name, width, height] of LADDER) {
    const scaled = ['-map', '0:v', '-map', '1:a', '-vf', `scale=${width}:${height}`, ...video(26)]
    outputs.push(...scaled, '-movflags', '+faststart', path.join(work, `${prefix}_${name}.mp4`))
    outputs.push(
      ...scaled,
      ...['-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
      ...['-hls_flags', 'independent_segments', '-start_number', '1'],
      ...['-hls_fmp4_init_filename', `${prefix}_hls_${name}_init.mp4`],
      ...['-hls_segment_filename', path.join(work, `${prefix}_hls_${name}_%05d.m4s`)],
      path.join(work, `${prefix}_hls_${name}.m3u8`),
    )
  }
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...source, ...outputs])

  const variants: HlsVariant[] = []
  for (const [name, width, height] of LADDER) {
    const playlistKey = `${prefix}_hls_${name}.m3u8`
    const manifest = parsePlaylist(await readFile(path.join(work, playlistKey), 'utf8'))
    const segmentKeys = manifest.segments.map((segment) => segment.uri)
    const sizes = await Promise.all(segmentKeys.map((key) => stat(path.join(work, key)).then((s) => s.size)))
    const seconds = manifest.segments.map((segment) => segment.duration)
    const total = sizes.reduce((sum, size) => sum + size, 0)
    variants.push({
      name,
      playlistKey,
      initKey: manifest.segments[0]?.map?.uri ?? `${prefix}_hls_${name}_init.mp4`,
      segmentKeys,
      width,
      height,
      bandwidth: Math.max(...sizes.map((size, i) => Math.ceil((size * 8) / (seconds[i] ?? 1)))),
      averageBandwidth: Math.ceil((total * 8) / seconds.reduce((sum, s) => sum + s, 0)),
      codecs: 'avc1.64000d,mp4a.40.2',
    })
  }
  const masterKey = `${prefix}_hls.m3u8`
  await writeFile(
    path.join(work, masterKey),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      ...variants.flatMap((v) => [
        `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth},AVERAGE-BANDWIDTH=${v.averageBandwidth},RESOLUTION=${v.width}x${v.height},CODECS="${v.codecs}"`,
        v.playlistKey,
      ]),
      '',
    ].join('\n'),
  )

  // Every file goes into the store the way the worker commits it.
  const committed = new Map<string, number>()
  for (const file of await readdir(work)) {
    const pendingFile = await output.prepare(file)
    await copyFile(path.join(work, file), pendingFile.path)
    committed.set(file, (await pendingFile.commit()).size)
  }
  const size = (key: string) => committed.get(key) ?? 0
  const renditions: RenditionOutput[] = LADDER.map(([name, width, height]) => {
    const key = `${prefix}_${name}.mp4`
    return { name, key, size: size(key), width, height, bitrate: Math.round((size(key) * 8) / 2) }
  })
  const record: MasterVideo = {
    ...job,
    status: 'completed',
    progress: 1,
    attempts: 1,
    output: {
      key: `${prefix}.mp4`,
      size: size(`${prefix}.mp4`),
      durationSec: 2,
      width: 320,
      height: 240,
      strategy: 'reencode',
      contentType: 'video/mp4',
    },
    renditions,
    skippedRenditions: [{ name: '480p', reason: 'It would upscale the 240-pixel master' }],
    hls: { masterKey, segmentSec: 1, variants },
    startedAt: job.createdAt,
    completedAt: new Date(),
  }
  const mv: MasterVideos = {
    ...inner,
    // The scope check (a foreign project is NOT_FOUND) stays the service's own.
    get: async (id, scope) => {
      const stored = await inner.get(id, scope)
      return stored.id === record.id ? record : stored
    },
  }
  const hlsKeys = [masterKey, ...variants.flatMap((v) => [v.playlistKey, v.initKey, ...v.segmentKeys])]
  return {
    dir,
    mv,
    output,
    record,
    pending,
    hlsKeys,
    bytes: (key) => readStored(output, key),
    async close() {
      await inner.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
