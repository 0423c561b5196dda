/** One segment of a media playlist: its URI as written and its `#EXTINF` duration. */
export interface PlaylistSegment {
  uri: string
  durationSec: number
}

/** What a media playlist names: its `#EXT-X-MAP` initialization segment and its media segments, in order. */
export interface MediaPlaylist {
  initUri: string | null
  segments: PlaylistSegment[]
}

/**
 * Reads the media playlist ffmpeg's HLS muxer wrote: the `#EXT-X-MAP` URI and
 * each `#EXTINF` duration with the URI on the line after it. Only what the
 * master playlist needs; validation proper is a parser's job in the tests.
 *
 * @example
 * ```ts
 * const list = readMediaPlaylist('#EXTM3U\n#EXT-X-MAP:URI="a_init.mp4"\n#EXTINF:4.0,\na_00001.m4s\n#EXT-X-ENDLIST\n')
 * console.log(list.initUri, list.segments) // a_init.mp4 [{ uri: 'a_00001.m4s', durationSec: 4 }]
 * ```
 */
export function readMediaPlaylist(text: string): MediaPlaylist {
  let initUri: string | null = null
  const segments: PlaylistSegment[] = []
  let pending: number | null = null
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('#EXT-X-MAP:')) {
      initUri = /URI="([^"]*)"/.exec(line)?.[1] ?? null
    } else if (line.startsWith('#EXTINF:')) {
      pending = Number.parseFloat(line.slice('#EXTINF:'.length))
    } else if (!line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, durationSec: Number.isFinite(pending) ? pending : 0 })
      pending = null
    }
  }
  return { initUri, segments }
}

/** One `#EXT-X-STREAM-INF` entry of a master playlist. */
export interface MasterPlaylistVariant {
  /** The media playlist's URI (its key). */
  uri: string
  bandwidth: number
  averageBandwidth: number
  width: number
  height: number
  codecs: string
  frameRate: number
}

/**
 * The text of an HLS master playlist (version 7, fMP4 segments) with
 * `BANDWIDTH`, `AVERAGE-BANDWIDTH`, `RESOLUTION`, `CODECS` and `FRAME-RATE`
 * for each variant, highest bandwidth first: players that start on the
 * first entry start on the best, then adapt.
 *
 * @example
 * ```ts
 * masterPlaylist([{ uri: 'x_hls_480p.m3u8', bandwidth: 900000, averageBandwidth: 700000, width: 854, height: 480, codecs: 'avc1.64001e,mp4a.40.2', frameRate: 30 }])
 * ```
 */
export function masterPlaylist(variants: MasterPlaylistVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS']
  for (const v of [...variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth},AVERAGE-BANDWIDTH=${v.averageBandwidth},` +
        `RESOLUTION=${v.width}x${v.height},CODECS="${v.codecs}",FRAME-RATE=${v.frameRate.toFixed(3)}`,
      v.uri,
    )
  }
  return `${lines.join('\n')}\n`
}

/**
 * Peak and average bits per second of a variant, from its segments' sizes
 * and durations: `BANDWIDTH` is the highest rate of any one segment (the
 * HLS spec's peak segment bit rate), `AVERAGE-BANDWIDTH` the whole stream's.
 * Both count the initialization segment once, spread over the stream.
 */
export function variantBandwidth(
  segments: Array<{ size: number; durationSec: number }>,
  initSize = 0,
): { bandwidth: number; averageBandwidth: number } {
  const total = segments.reduce((sum, s) => sum + s.durationSec, 0)
  const bytes = segments.reduce((sum, s) => sum + s.size, 0) + initSize
  const average = total > 0 ? (bytes * 8) / total : 0
  let peak = average
  for (const s of segments) {
    // A sliver of a last segment says nothing about the peak rate.
    if (s.durationSec >= 0.5) peak = Math.max(peak, (s.size * 8) / s.durationSec)
  }
  return { bandwidth: Math.ceil(peak), averageBandwidth: Math.ceil(average) }
}

/**
 * The RFC 6381 name of the H.264 stream in a CMAF initialization segment
 * (`avc1.64001f`: profile, constraint flags and level from its `avcC` box),
 * or `null` when there is none.
 *
 * @example
 * ```ts
 * const codec = avcCodecOf(await readFile('x_hls_720p_init.mp4')) // 'avc1.64001f'
 * ```
 */
export function avcCodecOf(init: Buffer): string | null {
  const at = init.indexOf('avcC')
  // avcC: configurationVersion (1), then profile, compatibility, level.
  if (at < 0 || at + 8 > init.length || init[at + 4] !== 1) return null
  const hex = (byte: number | undefined) => (byte ?? 0).toString(16).padStart(2, '0')
  return `avc1.${hex(init[at + 5])}${hex(init[at + 6])}${hex(init[at + 7])}`
}
