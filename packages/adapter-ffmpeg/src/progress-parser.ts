/** One block of `-progress` output, reduced to what we use. */
export interface ProgressBlock {
  /** Output time reached, in seconds, when ffmpeg knows it. */
  outTimeSec: number | undefined
  /** Bytes written so far. */
  totalSize: number | undefined
  /** `true` on the block ffmpeg writes when it is done. */
  end: boolean
}

/**
 * Parses ffmpeg's `-progress` output (`key=value` lines, each block closed by
 * `progress=continue` or `progress=end`) from chunks as they arrive.
 * `out_time_us` is read when present; older builds (like the bundled 2018
 * one) also write `out_time_ms`, which despite its name is microseconds too.
 *
 * @example
 * ```ts
 * import { progressParser } from '@mastervideo/adapter-ffmpeg'
 *
 * const parse = progressParser((block) => console.log(block.outTimeSec))
 * parse('out_time_us=1500000\nprogress=continue\n')
 * ```
 */
export function progressParser(onBlock: (block: ProgressBlock) => void): (chunk: string) => void {
  let buffered = ''
  let values = new Map<string, string>()
  return (chunk) => {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
      const eq = line.indexOf('=')
      if (eq <= 0) continue
      const key = line.slice(0, eq)
      const value = line.slice(eq + 1)
      if (key !== 'progress') {
        values.set(key, value)
        continue
      }
      const micros = number(values.get('out_time_us')) ?? number(values.get('out_time_ms'))
      onBlock({
        outTimeSec: micros === undefined || micros < 0 ? undefined : micros / 1e6,
        totalSize: number(values.get('total_size')),
        end: value === 'end',
      })
      values = new Map()
    }
    // A line without a newline this long is not progress output; drop it rather than grow.
    if (buffered.length > 4096) buffered = ''
  }
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'N/A') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}
