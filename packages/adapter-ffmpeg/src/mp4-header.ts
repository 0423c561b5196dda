// Why a hand-written reader and not a library (mp4box, codem-isoboxer,
// @svta/cml-iso-bmff were weighed): the part a library would replace is the box
// walk, about a third of this file. What decides a copy is not in their output:
// the SPS (crop, VUI aspect ratio, full range, bit depth), the AAC
// AudioSpecificConfig rather than the sample entry's channel count, and the
// checks that make "I can read this" safe (every sample inside the file, no
// data reference elsewhere, one edit, no fragments), which stay hand-written
// either way. mp4box, the best kept of them, is a progressive parser made to
// play what it can of partial files, where this reader must refuse anything
// short of whole; and it would add a dependency to the path that guards
// hostile uploads. Anything here that is unsure returns undefined: ffprobe
// decides, as it always did.
import { open } from 'node:fs/promises'
import type { MediaStreamInfo, ProbeResult } from '@mastervideo/core'
import { parseSps, reducedRatio } from './h264-sps.js'

/** ffprobe's `format_name` for the MP4/MOV family. */
const MOV_CONTAINER = 'mov,mp4,m4a,3gp,3g2,mj2'
/** Top-level boxes of a plain, whole, self-contained MP4; anything else (fragments, indexes) goes to ffprobe. */
const TOP_LEVEL = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'uuid'])
/** More top-level boxes than this is no plain clip (and would cost a read each): left to ffprobe. */
const MAX_TOP_LEVEL_BOXES = 64
/** A `moov` larger than this is left to ffprobe rather than read into memory. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024
/** Bytes read at once: a short clip's whole header, and its moov when it is small. */
const READ_AHEAD = 64 * 1024

interface Box {
  type: string
  /** Start of the payload. */
  body: number
  end: number
}

/** The boxes of `buf` between `from` and `to`; undefined when one runs past `to`. */
function children(buf: Buffer, from: number, to: number): Box[] | undefined {
  const boxes: Box[] = []
  let at = from
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at)
    let header = 8
    if (size === 1) {
      if (at + 16 > to) return undefined
      size = Number(buf.readBigUInt64BE(at + 8))
      header = 16
    }
    if (size < header || at + size > to) return undefined
    boxes.push({ type: buf.toString('latin1', at + 4, at + 8), body: at + header, end: at + size })
    at += size
  }
  return at === to ? boxes : undefined
}

function only(boxes: Box[] | undefined, type: string): Box | undefined {
  const found = boxes?.filter((b) => b.type === type) ?? []
  return found.length === 1 ? found[0] : undefined
}

/** The one box of `type` with at least `bytes` of payload (so its fixed fields are its own). */
function sized(boxes: Box[] | undefined, type: string, bytes: number | ((box: Box) => number)): Box {
  const box = need(only(boxes, type))
  need(box.end - box.body >= (typeof bytes === 'number' ? bytes : bytes(box)))
  return box
}

/** Thrown inside the reader for anything it does not handle; becomes "ask ffprobe". */
class Unsupported extends Error {}

function need<T>(value: T | undefined | null | false): T {
  if (value === undefined || value === null || value === false) throw new Unsupported()
  return value
}

/** The ESDS descriptor length: 1-4 bytes of 7 bits. */
function descriptor(buf: Buffer, at: number, end: number): { tag: number; body: number; end: number } {
  const tag = need(at < end && buf[at])
  let length = 0
  let i = at + 1
  for (let n = 0; n < 4; n++, i++) {
    const byte = need(i < end && (buf[i] as number) + 1) - 1
    length = length * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      i++
      break
    }
  }
  return { tag, body: i, end: need(i + length <= end && i + length) }
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
const LAYOUTS: Record<number, string> = { 1: 'mono', 2: 'stereo' }

/** AAC-LC parameters from an `esds` box; only object type 2 (LC) with 1 or 2 channels. */
function aacOf(buf: Buffer, esds: Box): { sampleRate: number; channels: number } {
  const es = descriptor(buf, esds.body + 4, esds.end)
  need(es.tag === 3)
  const flags = need(es.body + 2 < es.end && (buf[es.body + 2] as number) + 1) - 1
  let at = es.body + 3
  if (flags & 0x80) at += 2
  if (flags & 0x40) at += 1 + (buf[at] ?? 0)
  if (flags & 0x20) at += 2
  const config = descriptor(buf, at, es.end)
  need(config.tag === 4 && buf[config.body] === 0x40) // MPEG-4 audio
  const specific = descriptor(buf, config.body + 13, config.end)
  need(specific.tag === 5 && specific.end - specific.body >= 2)
  const bits = buf.readUInt16BE(specific.body)
  need(bits >> 11 === 2) // AAC LC; HE-AAC reports the doubled SBR rate, left to ffprobe
  const sampleRate = need(AAC_RATES[(bits >> 7) & 0x0f])
  const channels = (bits >> 3) & 0x0f
  need(LAYOUTS[channels])
  return { sampleRate, channels }
}

/** Clockwise degrees from a `tkhd` matrix; only the four plain rotations. */
function rotationOf(buf: Buffer, at: number): number {
  const [a, b, c, d] = [0, 4, 12, 16].map((o) => buf.readInt32BE(at + o) / 65536) as [
    number,
    number,
    number,
    number,
  ]
  const unit = [a, b, c, d].every((x) => x === 0 || x === 1 || x === -1)
  need(unit && a === d && b === -c && Math.abs(a) + Math.abs(b) === 1)
  return (((Math.round((Math.atan2(b, a) * 180) / Math.PI) % 360) + 360) % 360) as number
}

/** Where the last byte of the track's samples lies; checks the sample tables agree. */
function sampleEnd(buf: Buffer, stbl: Box[], samples: number): number {
  const stsz = sized(stbl, 'stsz', 12)
  const fixed = buf.readUInt32BE(stsz.body + 4)
  need(buf.readUInt32BE(stsz.body + 8) === samples)
  need(fixed !== 0 || stsz.body + 12 + samples * 4 <= stsz.end)
  const sizeOf = (i: number) => (fixed !== 0 ? fixed : buf.readUInt32BE(stsz.body + 12 + i * 4))
  const co64 = only(stbl, 'co64')
  const stco = co64 ?? sized(stbl, 'stco', 8)
  const chunks = buf.readUInt32BE(stco.body + 4)
  const width = co64 ? 8 : 4
  need(stco.body + 8 + chunks * width <= stco.end)
  const offsetOf = (i: number) =>
    co64 ? Number(buf.readBigUInt64BE(stco.body + 8 + i * 8)) : buf.readUInt32BE(stco.body + 8 + i * 4)
  const stsc = sized(stbl, 'stsc', 8)
  const runs = buf.readUInt32BE(stsc.body + 4)
  need(runs > 0 && stsc.body + 8 + runs * 12 <= stsc.end)
  let sample = 0
  let end = 0
  for (let run = 0; run < runs; run++) {
    const row = stsc.body + 8 + run * 12
    const first = buf.readUInt32BE(row) - 1
    const last = run + 1 < runs ? buf.readUInt32BE(row + 12) - 1 : chunks
    const perChunk = buf.readUInt32BE(row + 4)
    need(buf.readUInt32BE(row + 8) === 1 && first < last && last <= chunks)
    for (let chunk = first; chunk < last; chunk++) {
      let at = offsetOf(chunk)
      const count = Math.min(perChunk, samples - sample)
      // With one size for all samples the table is absent: compute, never loop over a count the file claims.
      if (fixed !== 0) at += fixed * count
      else for (let s = 0; s < count; s++) at += sizeOf(sample + s)
      sample += count
      end = Math.max(end, at)
    }
  }
  need(sample === samples)
  return end
}

interface Track {
  stream: MediaStreamInfo
  durationSec: number
  dataEnd: number
}

/** Seconds the track plays: its one edit (ffprobe's count), else its media length. */
function playedSec(buf: Buffer, parts: Box[], movieScale: number, mediaSec: number): number {
  const edts = only(parts, 'edts')
  if (!edts) return mediaSec
  const elst = sized(children(buf, edts.body, edts.end), 'elst', 8)
  const v1 = buf[elst.body] === 1
  need(buf.readUInt32BE(elst.body + 4) === 1 && elst.body + 8 + (v1 ? 20 : 12) <= elst.end)
  const duration = v1 ? Number(buf.readBigUInt64BE(elst.body + 8)) : buf.readUInt32BE(elst.body + 8)
  const mediaTime = v1 ? Number(buf.readBigInt64BE(elst.body + 16)) : buf.readInt32BE(elst.body + 12)
  // An empty edit (a delayed start) or a rate change is left to ffprobe.
  need(mediaTime >= 0 && buf.readUInt32BE(elst.body + (v1 ? 24 : 16)) === 0x10000)
  return duration > 0 ? Math.min(duration / movieScale, mediaSec) : mediaSec
}

function readTrack(buf: Buffer, trak: Box, index: number, movieScale: number): Track {
  const parts = need(children(buf, trak.body, trak.end))
  const tkhd = sized(parts, 'tkhd', (box) => (buf[box.body] === 1 ? 72 : 60))
  const mdia = need(children(buf, ...span(need(only(parts, 'mdia')))))
  const mdhd = sized(mdia, 'mdhd', (box) => (buf[box.body] === 1 ? 32 : 20))
  const hdlr = sized(mdia, 'hdlr', 12)
  const minf = need(children(buf, ...span(need(only(mdia, 'minf')))))
  // Every sample must be in this file: a data reference to another file is left to ffprobe (and refused there).
  const dref = sized(children(buf, ...span(need(only(minf, 'dinf')))), 'dref', 8)
  const refs = need(children(buf, dref.body + 8, dref.end))
  const ref = need(
    refs.length === 1 && refs[0]?.type === 'url ' && refs[0].end - refs[0].body >= 4 && refs[0],
  )
  need((buf.readUInt32BE(ref.body) & 1) === 1)
  const stbl = need(children(buf, ...span(need(only(minf, 'stbl')))))
  const handler = buf.toString('latin1', hdlr.body + 8, hdlr.body + 12)

  const v1 = buf[mdhd.body] === 1
  const timescale = buf.readUInt32BE(mdhd.body + (v1 ? 20 : 12))
  const duration = v1 ? Number(buf.readBigUInt64BE(mdhd.body + 24)) : buf.readUInt32BE(mdhd.body + 16)
  need(timescale > 0 && duration > 0)

  const stts = sized(stbl, 'stts', 8)
  const runs = buf.readUInt32BE(stts.body + 4)
  need(stts.body + 8 + runs * 8 <= stts.end)
  let samples = 0
  let ticks = 0
  for (let i = 0; i < runs; i++) {
    const count = buf.readUInt32BE(stts.body + 8 + i * 8)
    samples += count
    ticks += count * buf.readUInt32BE(stts.body + 12 + i * 8)
  }
  need(samples > 0 && ticks > 0 && Number.isSafeInteger(ticks) && Number.isSafeInteger(timescale * samples))

  const stsd = sized(stbl, 'stsd', 16)
  need(buf.readUInt32BE(stsd.body + 4) === 1)
  const entry = need(
    only(children(buf, stsd.body + 8, stsd.end), buf.toString('latin1', stsd.body + 12, stsd.body + 16)),
  )
  const stream: MediaStreamInfo = { index, type: 'other', codec: 'unknown' }
  if (handler === 'vide') {
    need(entry.type === 'avc1' && entry.end - entry.body >= 78)
    const boxes = need(children(buf, entry.body + 78, entry.end))
    const avcC = sized(boxes, 'avcC', 8)
    need((buf[avcC.body + 5] ?? 0) & 0x1f)
    const spsLength = buf.readUInt16BE(avcC.body + 6)
    const sps = need(
      parseSps(
        buf.subarray(avcC.body + 8, need(avcC.body + 8 + spsLength <= avcC.end && avcC.body + 8 + spsLength)),
      ),
    )
    need(sps.width === buf.readUInt16BE(entry.body + 24) && sps.height === buf.readUInt16BE(entry.body + 26))
    const pasp = boxes.some((b) => b.type === 'pasp') ? sized(boxes, 'pasp', 8) : undefined
    const sar =
      (pasp && reducedRatio(buf.readUInt32BE(pasp.body), buf.readUInt32BE(pasp.body + 4))) ?? sps.sar
    const g = gcdOf(timescale * samples, ticks)
    Object.assign(stream, {
      type: 'video',
      codec: 'h264',
      profile: sps.profile,
      width: sps.width,
      height: sps.height,
      rotation: rotationOf(buf, tkhd.body + (buf[tkhd.body] === 1 ? 52 : 40)),
      ...(sar ? { sar } : {}),
      pixelFormat: sps.pixelFormat,
      frameRate: `${(timescale * samples) / g}/${ticks / g}`,
    })
  } else if (handler === 'soun') {
    need(entry.type === 'mp4a' && entry.end - entry.body >= 28 && buf.readUInt16BE(entry.body + 8) === 0)
    const esds = need(only(children(buf, entry.body + 28, entry.end), 'esds'))
    const aac = aacOf(buf, esds)
    Object.assign(stream, {
      type: 'audio',
      codec: 'aac',
      profile: 'LC',
      sampleRate: aac.sampleRate,
      channels: aac.channels,
      channelLayout: LAYOUTS[aac.channels],
    })
  } else {
    throw new Unsupported()
  }
  stream.timeBase = `1/${timescale}`
  stream.durationSec = playedSec(buf, parts, movieScale, duration / timescale)
  return { stream, durationSec: stream.durationSec, dataEnd: sampleEnd(buf, stbl, samples) }
}

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b)
}

function span(box: Box): [number, number] {
  return [box.body, box.end]
}

/**
 * Reads a plain MP4/MOV clip's boxes in Node, no process spawned, and returns
 * the probe ffprobe would give for it: H.264 (Baseline, Main or High, 8-bit
 * 4:2:0, progressive) with at most one AAC-LC mono or stereo track, whole
 * (every top-level box and every sample within the file), self-contained (no
 * data reference to another file), not fragmented. Returns undefined for
 * anything else, including every damaged or hostile file: the caller then
 * asks ffprobe, which refuses those with its own reasons. `size` is the
 * file's size as `stat` read it.
 *
 * @example
 * ```ts
 * const quick = await readMp4Probe('/videos/a.mp4', 'a.mp4', (await stat('/videos/a.mp4')).size)
 * const probe = quick ?? (await probeWithFfprobe('/videos/a.mp4'))
 * ```
 */
export async function readMp4Probe(
  absolute: string,
  file: string,
  size: number,
): Promise<ProbeResult | undefined> {
  const handle = await open(absolute, 'r')
  try {
    // Reads go through a window of READ_AHEAD bytes: a clip's ftyp, mdat header
    // and (faststart) moov come in one read, a moov at the end in one more.
    let window = Buffer.alloc(0)
    let windowAt = 0
    const bytesAt = async (at: number, length: number): Promise<Buffer | undefined> => {
      if (at < windowAt || at + length > windowAt + window.length) {
        const want = Math.min(Math.max(length, READ_AHEAD), size - at)
        const fresh = Buffer.alloc(want)
        const { bytesRead } = await handle.read(fresh, 0, want, at)
        window = fresh.subarray(0, bytesRead)
        windowAt = at
      }
      const from = at - windowAt
      return from + length <= window.length ? window.subarray(from, from + length) : undefined
    }
    let at = 0
    let moov: Buffer | undefined
    for (let boxes = 0; at < size; boxes++) {
      if (boxes === MAX_TOP_LEVEL_BOXES) return undefined
      const head = await bytesAt(at, Math.min(16, size - at))
      if (!head || head.length < 8) return undefined
      let boxSize = head.readUInt32BE(0)
      const type = head.toString('latin1', 4, 8)
      if (boxSize === 1) {
        if (head.length < 16) return undefined
        boxSize = Number(head.readBigUInt64BE(8))
      } else if (boxSize === 0) boxSize = size - at
      if (at === 0 && type !== 'ftyp') return undefined
      if (!TOP_LEVEL.has(type) || boxSize < 8 || at + boxSize > size) return undefined
      if (type === 'moov') {
        if (moov || boxSize > MAX_MOOV_BYTES) return undefined
        moov = await bytesAt(at, boxSize)
        if (!moov) return undefined
      }
      at += boxSize
    }
    if (!moov) return undefined
    return probeOf(moov, file, size)
  } finally {
    await handle.close()
  }
}

function probeOf(moov: Buffer, file: string, size: number): ProbeResult | undefined {
  try {
    const header = moov.readUInt32BE(0) === 1 ? 16 : 8
    const boxes = need(children(moov, header, moov.length))
    need(!boxes.some((b) => b.type === 'mvex'))
    const mvhd = sized(boxes, 'mvhd', (box) => (moov[box.body] === 1 ? 24 : 16))
    const movieScale = moov.readUInt32BE(mvhd.body + (moov[mvhd.body] === 1 ? 20 : 12))
    need(movieScale > 0)
    const traks = boxes.filter((b) => b.type === 'trak')
    const tracks = traks.map((trak, index) => readTrack(moov, trak, index, movieScale))
    const kinds = tracks.map((t) => t.stream.type)
    need(kinds.filter((k) => k === 'video').length === 1 && kinds.filter((k) => k === 'audio').length <= 1)
    need(tracks.every((t) => t.dataEnd <= size))
    return {
      path: file,
      durationSec: Math.max(...tracks.map((t) => t.durationSec)),
      container: MOV_CONTAINER,
      sizeBytes: size,
      streams: tracks.map((t) => t.stream),
    }
  } catch (error) {
    if (error instanceof Unsupported || error instanceof RangeError) return undefined
    throw error
  }
}
