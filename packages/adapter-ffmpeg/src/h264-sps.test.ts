import { describe, expect, it } from 'vitest'
import { parseSps, reducedRatio } from './h264-sps.js'

// The SPS x264 writes for a 320x240 High-profile stream with a 1:1 SAR (from a lavfi clip's avcC).
const HIGH_320x240 = Buffer.from('6764000dacd94141fb011000000300100000030320f1429960', 'hex')

describe('parseSps', () => {
  it('reads profile, size, SAR and pixel format', () => {
    expect(parseSps(HIGH_320x240)).toEqual({
      profile: 'High',
      pixelFormat: 'yuv420p',
      width: 320,
      height: 240,
      sar: '1:1',
    })
  })

  it('leaves a cut SPS, another NAL type or another profile to ffprobe', () => {
    expect(parseSps(HIGH_320x240.subarray(0, 6))).toBeUndefined()
    expect(parseSps(Buffer.from([0x68, 0xee, 0x3c, 0x80]))).toBeUndefined() // a PPS
    const high10 = Buffer.from(HIGH_320x240)
    high10[1] = 110
    expect(parseSps(high10)).toBeUndefined()
  })

  it('reduces aspect ratios and drops unknown ones', () => {
    expect(reducedRatio(40, 30)).toBe('4:3')
    expect(reducedRatio(0, 1)).toBeUndefined()
  })
})
