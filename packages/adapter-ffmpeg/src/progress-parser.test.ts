import { describe, expect, it } from 'vitest'
import { type ProgressBlock, progressParser } from './progress-parser.js'

describe('progressParser', () => {
  it('reads blocks split across chunks, out_time_us first, out_time_ms (microseconds) as a fallback', () => {
    const blocks: ProgressBlock[] = []
    const parse = progressParser((b) => blocks.push(b))
    parse('frame=1\nout_time_us=N/A\nprogress=cont')
    parse('inue\nout_time_ms=1500000\ntotal_size=4')
    parse('8\nprogress=continue\nout_time_us=2000000\nout_time_ms=9\nprogress=end\n')
    expect(blocks).toEqual([
      { outTimeSec: undefined, totalSize: undefined, end: false },
      { outTimeSec: 1.5, totalSize: 48, end: false },
      { outTimeSec: 2, totalSize: undefined, end: true },
    ])
  })

  it('ignores a negative start time and garbage lines', () => {
    const blocks: ProgressBlock[] = []
    const parse = progressParser((b) => blocks.push(b))
    parse('garbage\n=x\nout_time_us=-23220\nprogress=continue\n')
    expect(blocks).toEqual([{ outTimeSec: undefined, totalSize: undefined, end: false }])
  })
})
