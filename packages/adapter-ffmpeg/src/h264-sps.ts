/** What a copy decision needs from an H.264 sequence parameter set, named as ffprobe names it. */
export interface SpsSummary {
  /** `High`, `Main`, `Constrained Baseline`, `Baseline`. */
  profile: string
  /** Only `yuv420p` is returned; other formats are left to ffprobe. */
  pixelFormat: string
  width: number
  height: number
  /** `num:den`, reduced; absent when the stream does not say. */
  sar?: string
}

/** Aspect ratios by `aspect_ratio_idc` (H.264 table E-1). */
const SAR_TABLE: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
]

/** Profiles whose SPS carries chroma format, bit depth and scaling lists. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135])

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/** `num:den` reduced, or undefined for an unknown ratio (a zero on either side). */
export function reducedRatio(num: number, den: number): string | undefined {
  if (!(num > 0 && den > 0)) return undefined
  const g = gcd(num, den)
  return `${num / g}:${den / g}`
}

/** A bit reader over a NAL unit's payload, emulation-prevention bytes removed. */
class Bits {
  private bit = 0
  constructor(private readonly bytes: Uint8Array) {}
  u(n: number): number {
    let value = 0
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.bit >> 3]
      if (byte === undefined) throw new RangeError('SPS ends early')
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1)
      this.bit++
    }
    return value
  }
  ue(): number {
    let zeros = 0
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new RangeError('bad Exp-Golomb code')
    }
    return 2 ** zeros - 1 + this.u(zeros)
  }
  se(): number {
    const k = this.ue()
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2)
  }
}

function withoutEmulationBytes(nal: Uint8Array): Uint8Array {
  const out: number[] = []
  let zeros = 0
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0
      continue
    }
    zeros = byte === 0 ? zeros + 1 : 0
    out.push(byte)
  }
  return Uint8Array.from(out)
}

function profileName(idc: number, constraints: number): string | undefined {
  if (idc === 66) return constraints & 0x40 ? 'Constrained Baseline' : 'Baseline'
  if (idc === 77) return 'Main'
  if (idc === 100) return 'High'
  return undefined
}

/**
 * Reads an H.264 SPS NAL unit (header byte included) as far as its VUI
 * signal type. Returns undefined for anything outside the plain case (another
 * profile, chroma format or bit depth, interlaced coding, full-range video):
 * the caller then asks ffprobe, whose names and pixel formats for those cases
 * this reader does not try to reproduce.
 *
 * @example
 * ```ts
 * const sps = parseSps(avcC.subarray(8, 8 + spsLength))
 * console.log(sps?.profile, sps?.width, sps?.height)
 * ```
 */
export function parseSps(nal: Uint8Array): SpsSummary | undefined {
  try {
    if (((nal[0] ?? 0) & 0x1f) !== 7) return undefined
    const r = new Bits(withoutEmulationBytes(nal.subarray(1)))
    const profileIdc = r.u(8)
    const constraints = r.u(8)
    r.u(8) // level
    r.ue() // seq_parameter_set_id
    const profile = profileName(profileIdc, constraints)
    if (!profile) return undefined
    let chroma = 1
    if (HIGH_PROFILES.has(profileIdc)) {
      chroma = r.ue()
      if (chroma === 3) r.u(1)
      const lumaDepth = r.ue() + 8
      const chromaDepth = r.ue() + 8
      if (lumaDepth !== 8 || chromaDepth !== 8) return undefined
      r.u(1) // qpprime_y_zero_transform_bypass
      if (r.u(1)) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
          if (!r.u(1)) continue
          let last = 8
          let next = 8
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + r.se() + 256) % 256
            last = next === 0 ? last : next
          }
        }
      }
    }
    if (chroma !== 1) return undefined
    r.ue() // log2_max_frame_num_minus4
    const pocType = r.ue()
    if (pocType === 0) r.ue()
    else if (pocType === 1) {
      r.u(1)
      r.se()
      r.se()
      const cycle = r.ue()
      for (let i = 0; i < cycle; i++) r.se()
    }
    r.ue() // max_num_ref_frames
    r.u(1) // gaps_in_frame_num_value_allowed
    const widthMbs = r.ue() + 1
    const heightMapUnits = r.ue() + 1
    if (!r.u(1)) return undefined // interlaced: field pictures, left to ffprobe
    r.u(1) // direct_8x8_inference
    const crop = r.u(1) ? [r.ue(), r.ue(), r.ue(), r.ue()] : [0, 0, 0, 0]
    const [left = 0, right = 0, top = 0, bottom = 0] = crop
    const width = widthMbs * 16 - 2 * (left + right)
    const height = heightMapUnits * 16 - 2 * (top + bottom)
    let sar: string | undefined
    if (r.u(1)) {
      if (r.u(1)) {
        const idc = r.u(8)
        const [num, den] = idc === 255 ? [r.u(16), r.u(16)] : (SAR_TABLE[idc] ?? [0, 0])
        sar = reducedRatio(num, den)
      }
      if (r.u(1)) r.u(1) // overscan
      if (r.u(1)) {
        r.u(3) // video_format
        if (r.u(1)) return undefined // full range: ffprobe calls it yuvj420p
      }
    }
    return { profile, pixelFormat: 'yuv420p', width, height, ...(sar ? { sar } : {}) }
  } catch {
    return undefined
  }
}
