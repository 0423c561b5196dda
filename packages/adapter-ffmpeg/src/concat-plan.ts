import type {
  AppliedStrategy,
  ConcatInput,
  ConcatStrategy,
  EncodingOptions,
  ProbeResult,
} from '@mastervideo/core'
import { ValidationError } from '@mastervideo/core'
import { clipLabel, copyCompatibility } from './concat-compat.js'
import { type ConcatListEntry, concatListText } from './concat-list.js'
import { inputInvalid, PREFIX } from './errors.js'
import { copyArgs, displaySize, type PlacedInput, reencodeArgs, reencodeTarget } from './ffmpeg-args.js'
import { videoStream } from './media-probe.js'

/** A dry run of a concat: what would run, and why. */
export interface ConcatPlan {
  /** `copy` (concat demuxer, no re-encoding) or `reencode` (concat filter, normalized). */
  strategy: AppliedStrategy
  /** Why, in words: which property differs between which clips, or what they all share. */
  reason: string
  /** The exact ffmpeg arguments (no shell involved). */
  args: string[]
  /** The concat demuxer list the copy reads (`args` names its file); absent for a re-encode. */
  concatList?: string
  /** Seconds of video expected in the output: the trimmed clips summed. */
  totalSec: number
  /** The output's displayed size: the clips' own for a copy (they all match), the target for a re-encode. */
  outputSize: { width: number; height: number }
  /** What ffprobe found about each clip. */
  probes: ProbeResult[]
}

/** Where the plan's files are. */
export interface PlanPaths {
  /** The file ffmpeg writes. */
  output: string
  /** The concat list's file. */
  list: string
  /** Paths to write in the list instead of the clip's own (a clip whose name a list cannot carry). */
  listPaths?: ReadonlyMap<number, string>
}

/** Applies a clip's trims to its probed length; refuses trims that leave nothing. */
export function placeInput(input: ConcatInput, probe: ProbeResult, index: number): PlacedInput {
  const full = videoStream(probe)?.durationSec ?? probe.durationSec
  const start = input.trimStart ?? 0
  const end = Math.min(input.trimEnd ?? full, full)
  if (start < 0 || (input.trimEnd !== undefined && input.trimEnd <= start)) {
    throw new ValidationError(`${PREFIX} ${clipLabel(probe, index)}: trimEnd must be greater than trimStart`)
  }
  if (end - start < 0.01) {
    throw inputInvalid(probe.path, `trimStart ${start} s is at or past its end (${full.toFixed(3)} s)`)
  }
  return { probe, trimStart: input.trimStart, trimEnd: input.trimEnd, durationSec: end - start }
}

/** Picks the strategy; a forced copy of clips that cannot be copied is refused with the reason. */
export function chooseStrategy(
  probes: ProbeResult[],
  requested: ConcatStrategy,
): { strategy: AppliedStrategy; reason: string } {
  if (requested === 'reencode') return { strategy: 'reencode', reason: 're-encode requested' }
  const compat = copyCompatibility(probes)
  if (compat.compatible) return { strategy: 'copy', reason: `stream copy: ${compat.reason}` }
  if (requested === 'copy') {
    throw inputInvalid(probes[0]?.path ?? '', `stream copy was requested but ${compat.reason}`, {
      details: { reason: compat.reason },
    })
  }
  return { strategy: 'reencode', reason: `re-encode: ${compat.reason}` }
}

/**
 * Builds the full plan from probes: strategy, reason, and the exact ffmpeg
 * arguments for the given file locations.
 */
export function buildPlan(options: {
  inputs: ConcatInput[]
  probes: ProbeResult[]
  strategy: ConcatStrategy
  profile: Omit<EncodingOptions, 'strategy'>
  paths: PlanPaths
}): ConcatPlan {
  const { probes, paths } = options
  const placed = options.inputs.map((input, index) => placeInput(input, probes[index] as ProbeResult, index))
  const { strategy, reason } = chooseStrategy(probes, options.strategy)
  if (strategy === 'reencode') return planReencode(placed, options.profile, paths.output, reason, probes)
  // A cut inside a clip splits AAC frames: copied as they are, the audio would
  // overlap at that join, so trimmed copies re-encode their (cheap) audio.
  const trimmed = placed.some((p) => (p.trimStart ?? 0) > 0 || p.trimEnd !== undefined)
  return planCopy(placed, paths, trimmed && hasAudio(probes) ? 'encode' : 'copy', reason)
}

function hasAudio(probes: ProbeResult[]): boolean {
  return probes.some((p) => p.streams.some((s) => s.type === 'audio'))
}

/** The copy plan: the concat demuxer list and its arguments; `audio: 'encode'` copies only the video. */
export function planCopy(
  placed: PlacedInput[],
  paths: PlanPaths,
  audio: 'copy' | 'encode',
  reason: string,
): ConcatPlan {
  const probes = placed.map((p) => p.probe)
  const entries: ConcatListEntry[] = placed.map((p, index) => ({
    path: paths.listPaths?.get(index) ?? p.probe.path,
    inpoint: p.trimStart,
    outpoint: p.trimEnd,
  }))
  return {
    strategy: 'copy',
    reason:
      audio === 'encode' ? `${reason}; video copied, audio re-encoded to keep the joins in sync` : reason,
    args: copyArgs({ list: paths.list, output: paths.output, first: probes[0] as ProbeResult, audio }),
    concatList: concatListText(entries),
    totalSec: placed.reduce((sum, p) => sum + p.durationSec, 0),
    outputSize: displaySize(probes[0] as ProbeResult),
    probes,
  }
}

/** The re-encode plan for the same clips (also the fallback when a copy goes wrong). */
export function planReencode(
  placed: PlacedInput[],
  profile: Omit<EncodingOptions, 'strategy'>,
  output: string,
  reason: string,
  probes: ProbeResult[],
): ConcatPlan {
  const target = reencodeTarget(probes[0] as ProbeResult, profile)
  return {
    strategy: 'reencode',
    reason: `${reason}; target ${target.width}x${target.height} at ${target.fps} fps, libx264 ${target.preset} CRF ${target.crf}, AAC 48 kHz stereo`,
    args: reencodeArgs({ inputs: placed, output, target }),
    totalSec: placed.reduce((sum, p) => sum + p.durationSec, 0),
    outputSize: { width: target.width, height: target.height },
    probes,
  }
}
