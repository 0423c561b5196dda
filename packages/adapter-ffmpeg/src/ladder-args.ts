import type { ProbeResult } from '@mastervideo/core'
import { fileUrl } from './ffmpeg-args.js'
import type { LadderPlan, PlannedRendition } from './ladder-plan.js'
import { demuxerOf, inputRestrictions, videoStream } from './media-probe.js'

const HEAD = ['-hide_banner', '-nostdin', '-nostats', '-v', 'warning', '-progress', 'pipe:1', '-y']

/**
 * The filter graph of the pass: the master decoded once, its pixels made
 * square when they are not, split into one branch per rendition, each
 * scaled to its exact size.
 */
export function ladderFilter(master: ProbeResult, renditions: PlannedRendition[]): string {
  const sar = videoStream(master)?.sar ?? '1:1'
  const square = sar === '1:1' || sar === '0:1' ? '' : 'scale=trunc(iw*sar/2)*2:ih,setsar=1,'
  const branches = renditions.map((_, i) => `[s${i}]`).join('')
  const chains = [`[0:v:0]${square}split=${renditions.length}${branches}`]
  renditions.forEach((r, i) => {
    chains.push(`[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`)
  })
  return chains.join(';')
}

/** The HLS muxer's settings for one variant, as a tee slave: fMP4 (CMAF) segments numbered from 1, a VOD playlist. */
function hlsSlave(r: PlannedRendition, segmentSec: number): string {
  const options = [
    'f=hls',
    `hls_time=${segmentSec}`,
    'hls_playlist_type=vod',
    'hls_list_size=0',
    'hls_flags=independent_segments',
    'hls_segment_type=fmp4',
    `hls_fmp4_init_filename=${r.keys.init}`,
    `hls_segment_filename=${r.keys.segmentPattern}`,
    'start_number=1',
  ]
  return `[${options.join(':')}]${r.keys.playlist}`
}

/**
 * ffmpeg arguments of the whole ladder in one pass. Each rendition is one
 * libx264 encode; with HLS its packets go through the `tee` muxer to both
 * the MP4 (`+faststart`) and the HLS muxer, so nothing is encoded twice.
 * Keyframes are forced every `segmentSec` from 0 with scene cuts off, so
 * every variant starts its segments on the same frames and a player can
 * switch between them at any segment. Output names are plain keys, relative
 * to ffmpeg's working directory (the request's directory): the playlists
 * then name their segments by key alone, and no path needs escaping inside
 * the tee's option syntax.
 */
export function ladderArgs(master: ProbeResult, plan: Omit<LadderPlan, 'args'>): string[] {
  const args = [
    ...HEAD,
    ...inputRestrictions(),
    '-f',
    demuxerOf(master.container),
    '-i',
    fileUrl(master.path),
    '-filter_complex',
    ladderFilter(master, plan.renditions),
  ]
  const { segmentSec } = plan
  for (const [i, r] of plan.renditions.entries()) {
    args.push('-map', `[v${i}]`)
    if (plan.audio !== 'none') args.push('-map', '0:a:0')
    args.push('-c:v', 'libx264', '-preset', plan.preset, '-crf', String(r.crf), '-pix_fmt', 'yuv420p')
    if (segmentSec !== null) {
      const gop = String(Math.max(1, Math.round(plan.fps * segmentSec)))
      args.push(
        '-force_key_frames',
        `expr:gte(t,n_forced*${segmentSec})`,
        '-g',
        gop,
        '-keyint_min',
        gop,
        '-sc_threshold',
        '0',
      )
    }
    if (plan.audio === 'copy') args.push('-c:a', 'copy')
    if (plan.audio === 'encode') args.push('-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2')
    args.push('-max_muxing_queue_size', '4096')
    if (segmentSec === null) {
      args.push('-movflags', '+faststart', '-f', 'mp4', r.keys.video)
    } else {
      // The tee cannot tell the encoders that its muxers want global headers: say so.
      args.push('-flags', '+global_header', '-f', 'tee')
      args.push(`[f=mp4:movflags=+faststart]${r.keys.video}|${hlsSlave(r, segmentSec)}`)
    }
  }
  return args
}
