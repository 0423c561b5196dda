import type { AudioTarget } from './audio-target.js'
import { aacMp4OutputArgs, fileUrl, HEAD, type PlacedInput, placedInputArgs } from './ffmpeg-args.js'
import { audioStream, inputRestrictions, videoStream } from './media-probe.js'

/**
 * Where each clip's sound starts and ends in the output, in samples at the
 * target rate: the clips' video lengths laid end to end, rounded once per
 * boundary, so rounding never accumulates into drift however many clips.
 */
export function audioSlots(inputs: PlacedInput[], sampleRate: number): number[] {
  let end = 0
  let previous = 0
  return inputs.map((input) => {
    end += input.durationSec
    const boundary = Math.round(end * sampleRate)
    const samples = boundary - previous
    previous = boundary
    return samples
  })
}

/**
 * The filter graph that gives each clip exactly its slot of sound in the
 * target format and joins them: a clip's own audio resampled (silence added
 * where it starts late, samples before its start dropped), padded with
 * silence and cut to the clip's video length; silence of that length for a
 * clip without sound. `audioInputs` maps a clip to the ffmpeg input holding
 * its sound.
 */
function audioGraph(
  inputs: PlacedInput[],
  target: AudioTarget,
  audioInputs: ReadonlyMap<number, number>,
): string {
  const { sampleRate: rate, layout } = target
  const format = `aformat=sample_fmts=fltp:sample_rates=${rate}:channel_layouts=${layout}`
  const slots = audioSlots(inputs, rate)
  const chains = inputs.map((_, index) => {
    const cut = `atrim=end_sample=${slots[index]}`
    const input = audioInputs.get(index)
    if (input === undefined) return `anullsrc=r=${rate}:cl=${layout},${format},${cut}[a${index}]`
    return `[${input}:a:0]aresample=${rate}:async=1:first_pts=0,${format},apad,${cut}[a${index}]`
  })
  const pads = inputs.map((_, index) => `[a${index}]`).join('')
  chains.push(`${pads}concat=n=${inputs.length}:v=0:a=1[a]`)
  return chains.join(';')
}

/**
 * ffmpeg arguments for a join that copies the video and encodes one audio
 * track: input 0 is the concat demuxer list (its entries carry each clip's
 * video length as `duration`, so clip N's video starts exactly where the
 * lengths before it end, and the input keeps those times: `-seek_timestamp 1`
 * without a seek turns off ffmpeg's shift by the input's start time), inputs
 * 1.. are the clips that have sound, each
 * opened with its probed demuxer forced and its trims as input seeks. The
 * video packets are written as they are; the audio is AAC at the target
 * rate and layout, one slot per clip (see {@link audioSlots}).
 */
export function copyVideoArgs(options: {
  list: string
  output: string
  inputs: PlacedInput[]
  target: AudioTarget
}): string[] {
  const { inputs, target } = options
  const first = inputs[0]?.probe
  const hevc = first !== undefined && videoStream(first)?.codec === 'hevc'
  const args = [...HEAD, ...inputRestrictions(['concat'])]
  // ffmpeg shifts each input by its start time; the list's start counts the
  // first clip's audio priming (a packet at -21 ms), which would delay the
  // whole copied video against the separately decoded sound. The video needs
  // no shift: the demuxer already starts each clip at its slot.
  args.push('-seek_timestamp', '1', '-f', 'concat', '-safe', '0', '-i', fileUrl(options.list))
  const audioInputs = new Map<number, number>()
  for (const [index, input] of inputs.entries()) {
    if (!audioStream(input.probe)) continue
    audioInputs.set(index, audioInputs.size + 1)
    args.push(...placedInputArgs(input))
  }
  args.push(
    '-filter_complex',
    audioGraph(inputs, target, audioInputs),
    '-map',
    '0:v:0',
    '-map',
    '[a]',
    '-c:v',
    'copy',
    // Safari plays HEVC in MP4 only under the hvc1 tag.
    ...(hevc ? ['-tag:v', 'hvc1'] : []),
    ...aacMp4OutputArgs(options.output, target),
  )
  return args
}
