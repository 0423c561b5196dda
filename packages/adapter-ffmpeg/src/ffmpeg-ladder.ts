import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  HLS_CONTENT_TYPES,
  type LadderFile,
  type LadderRequest,
  type LadderResult,
  type LadderVariant,
  ladderKeys,
  OUTPUT_CONTENT_TYPES,
  type ProbeResult,
} from '@mastervideo/core'
import { throwIfAborted, transcodeFailed, wrapError } from './errors.js'
import type { FfmpegRunOptions } from './ffmpeg-process.js'
import { avcCodecOf, masterPlaylist, readMediaPlaylist, variantBandwidth } from './hls-playlist.js'
import { type LadderPlan, type PlannedRendition, planLadder } from './ladder-plan.js'
import type { ProgressBlock } from './progress-parser.js'

/** What {@link runLadder} borrows from its transcoder. */
export interface LadderDeps {
  probe(file: string, options?: { signal?: AbortSignal }): Promise<ProbeResult>
  /** Runs ffmpeg with the transcoder's binary, timeouts and watchdog. */
  run(options: Omit<FfmpegRunOptions, 'ffmpeg'>): Promise<{ final?: ProgressBlock | undefined }>
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.m3u8')) return HLS_CONTENT_TYPES.m3u8
  if (key.endsWith('.m4s')) return HLS_CONTENT_TYPES.m4s
  return OUTPUT_CONTENT_TYPES.video
}

async function fileOf(directory: string, key: string): Promise<LadderFile> {
  const file = path.join(directory, key)
  const info = await stat(file).catch(() => null)
  if (!info?.isFile() || info.size === 0) throw transcodeFailed(`ffmpeg did not write ${key}`)
  return { key, path: file, size: info.size, contentType: contentTypeOf(key) }
}

/**
 * Reads a variant's media playlist back and measures it: the playlist must
 * name its init segment and its media segments by their keys alone (so a
 * route serving `…/hls/<key>` serves them), each segment must exist, and
 * their sizes and durations give the variant's bandwidths.
 */
async function measureVariant(
  directory: string,
  r: PlannedRendition,
  plan: LadderPlan,
): Promise<{ variant: LadderVariant; files: LadderFile[] }> {
  const playlist = await fileOf(directory, r.keys.playlist)
  const media = readMediaPlaylist(await readFile(playlist.path, 'utf8'))
  if (media.initUri !== r.keys.init || media.segments.length === 0) {
    throw transcodeFailed(`The HLS playlist of ${r.spec.name} does not name its segments as expected`, {
      details: { initUri: media.initUri, segments: media.segments.length },
    })
  }
  const init = await fileOf(directory, r.keys.init)
  const segments: LadderFile[] = []
  const measured: Array<{ size: number; durationSec: number }> = []
  for (const [index, segment] of media.segments.entries()) {
    if (segment.uri !== r.keys.segment(index + 1)) {
      throw transcodeFailed(`The HLS playlist of ${r.spec.name} names an unexpected segment`, {
        details: { uri: segment.uri },
      })
    }
    const file = await fileOf(directory, segment.uri)
    segments.push(file)
    measured.push({ size: file.size, durationSec: segment.durationSec })
  }
  const video = avcCodecOf(await readFile(init.path))
  if (!video) throw transcodeFailed(`The HLS init segment of ${r.spec.name} holds no H.264 configuration`)
  const codecs = plan.audioCodec ? `${video},${plan.audioCodec}` : video
  return {
    variant: {
      name: r.spec.name,
      playlistKey: r.keys.playlist,
      initKey: r.keys.init,
      segmentKeys: segments.map((s) => s.key),
      width: r.width,
      height: r.height,
      ...variantBandwidth(measured, init.size),
      codecs,
    },
    files: [init, ...segments, playlist],
  }
}

/** Removes every file of the ladder (named by its prefix) from the directory. */
async function removeLadderFiles(directory: string, prefix: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[])
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => rm(path.join(directory, name), { force: true })),
  )
}

/**
 * The ladder of `request.input` in one ffmpeg pass (see {@link planLadder}
 * and `ladderArgs`), then the files measured and the master playlist written
 * from the measures. On any failure or abort the directory is left without
 * any of the ladder's files.
 */
export async function runLadder(deps: LadderDeps, request: LadderRequest): Promise<LadderResult> {
  const { signal, directory, prefix } = request
  throwIfAborted(signal)
  let last = -1
  const report = (fraction: number) => {
    if (!(fraction > last)) return
    last = fraction
    try {
      request.onProgress?.(fraction)
    } catch {
      // A throwing progress listener must not kill the transcode.
    }
  }
  try {
    const master = await deps.probe(request.input, { signal })
    const plan = planLadder(master, request)
    report(0)
    if (plan.renditions.length === 0) {
      report(1)
      return { renditions: [], skipped: plan.skipped, hls: null, files: [] }
    }
    const outcome = await deps.run({
      args: plan.args,
      what: 'rendition ladder',
      totalSec: plan.totalSec,
      signal,
      cwd: directory,
      // The faststart pass of the largest rendition rewrites it with no progress lines.
      watchFile: path.join(directory, (plan.renditions[0] as PlannedRendition).keys.video),
      onProgress: (f) => report(0.99 * f),
    })
    throwIfAborted(signal)
    const durationSec = outcome.final?.outTimeSec || plan.totalSec
    const files: LadderFile[] = []
    const renditions = []
    for (const r of plan.renditions) {
      const file = await fileOf(directory, r.keys.video)
      files.push(file)
      renditions.push({
        name: r.spec.name,
        key: r.keys.video,
        size: file.size,
        width: r.width,
        height: r.height,
        bitrate: durationSec > 0 ? Math.round((file.size * 8) / durationSec) : 0,
        durationSec,
      })
    }
    let hls: LadderResult['hls'] = null
    if (plan.segmentSec !== null) {
      const variants: LadderVariant[] = []
      for (const r of plan.renditions) {
        const measured = await measureVariant(directory, r, plan)
        variants.push(measured.variant)
        files.push(...measured.files)
      }
      const masterKey = ladderKeys.master(prefix)
      const text = masterPlaylist(
        variants.map((v) => ({
          uri: v.playlistKey,
          bandwidth: v.bandwidth,
          averageBandwidth: v.averageBandwidth,
          width: v.width,
          height: v.height,
          codecs: v.codecs,
          frameRate: plan.fps,
        })),
      )
      await writeFile(path.join(directory, masterKey), text)
      files.push(await fileOf(directory, masterKey))
      hls = { masterKey, segmentSec: plan.segmentSec, variants }
    }
    report(1)
    return { renditions, skipped: plan.skipped, hls, files }
  } catch (error) {
    await removeLadderFiles(directory, prefix)
    throw wrapError(error, 'cannot make the renditions')
  }
}
