import type {
  AppliedStrategy,
  ConcatInput,
  ConcatStrategy,
  EncodingOptions,
  ProbeResult,
} from '@mastervideo/core'
import { audioTarget, copyVideoReason } from './audio-target.js'
import { type Compatibility, clipLabel, copyCompatibility, videoCopyCompatibility } from './concat-compat.js'
import { type ConcatListEntry, concatListText } from './concat-list.js'
import { copyVideoArgs } from './copy-video-args.js'
import { inputInvalid, invalidRequest } from './errors.js'
import { copyArgs, displaySize, type PlacedInput, reencodeArgs, reencodeTarget } from './ffmpeg-args.js'
import { videoStream } from './media-probe.js'

/** A dry run of a concat: what would run, and why. */
export interface ConcatPlan {
  /**
   * `copy` (concat demuxer, no re-encoding), `copy-video` (the video through
   * the concat demuxer, one normalized audio track encoded from every clip's
   * sound) or `reencode` (concat filter, normalized).
   */
  strategy: AppliedStrategy
  /** Why, in words: which property differs between which clips, or what they all share. */
  reason: string
  /** The exact ffmpeg arguments (no shell involved). */
  args: string[]
  /** The concat demuxer list a copy or copy-video reads (`args` names its file); absent for a re-encode. */
  concatList?: string
  /** Seconds of video expected in the output: the trimmed clips summed. */
  totalSec: number
  /** The output's displayed size: the clips' own when the video is copied (they all match), the target for a re-encode. */
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
    throw invalidRequest(`${clipLabel(probe, index)}: trimEnd must be greater than trimStart`)
  }
  if (end - start < 0.01) {
    throw inputInvalid(
      `${clipLabel(probe, index)}: trimStart ${start} s is at or past its end (${full.toFixed(3)} s)`,
      { details: { path: probe.path } },
    )
  }
  return { probe, trimStart: input.trimStart, trimEnd: input.trimEnd, durationSec: end - start }
}

/**
 * Why a forced copy cannot run, for the person who asked for it: what differs
 * between which clips (by position and file name, never a server path), and
 * the strategy that would work (`videoCopyable`: only the audio differs, so
 * `auto` would still copy the video).
 */
export function copyRefusal(probes: ProbeResult[], compat: Compatibility, videoCopyable = false): string {
  const what = probes.length === 1 ? 'This clip cannot be copied' : 'These clips cannot be joined'
  const { differs } = compat
  let why = compat.reason
  if (differs) {
    const state = (value: string) =>
      differs.property === 'audio track'
        ? value === 'present'
          ? 'has audio'
          : 'has no audio'
        : `is ${value}`
    const clip = clipLabel(probes[differs.index] as ProbeResult, differs.index)
    why = `their ${differs.property} differs: ${clip} ${state(differs.value)}, ${clipLabel(probes[0] as ProbeResult, 0)} ${state(differs.expected)}`
  }
  const fix = videoCopyable
    ? 'Use the `auto` strategy to copy the video and re-encode only the audio.'
    : 'Use the `auto` strategy to re-encode when the clips differ.'
  return `${what} without re-encoding, because ${why}. ${fix}`
}

/**
 * Picks the strategy. `auto`: a stream copy when every clip matches; when
 * only the sound differs (a silent clip, another sample rate, layout or
 * codec), `copy-video`, which copies the video and encodes one normalized
 * audio track; a re-encode otherwise. A forced copy of clips that cannot be
 * copied as they are is refused with the reason.
 *
 * @example
 * ```ts
 * const { strategy, reason } = chooseStrategy(probes, 'auto')
 * // 'copy-video', 'video copied; audio normalized to AAC 48 kHz stereo: clip 2 (b.mp4) has no audio'
 * ```
 */
export function chooseStrategy(
  probes: ProbeResult[],
  requested: ConcatStrategy,
): { strategy: AppliedStrategy; reason: string } {
  if (requested === 'reencode') return { strategy: 'reencode', reason: 're-encode requested' }
  const compat = copyCompatibility(probes)
  if (compat.compatible) return { strategy: 'copy', reason: `stream copy: ${compat.reason}` }
  const video = videoCopyCompatibility(probes)
  if (requested === 'copy') {
    throw inputInvalid(copyRefusal(probes, compat, video.compatible), {
      details: { reason: compat.reason, paths: probes.map((p) => p.path) },
    })
  }
  if (video.compatible) {
    return { strategy: 'copy-video', reason: copyVideoReason(probes, audioTarget(probes), compat.reason) }
  }
  return { strategy: 'reencode', reason: `re-encode: ${video.reason}` }
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
  if (strategy === 'copy-video') return planCopyVideo(placed, paths, reason)
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

/**
 * The copy-video plan: the concat demuxer list for the video, with each
 * clip's video length as its `duration` (so the demuxer places clip N where
 * the audio slots put it), and the arguments that encode the audio.
 */
export function planCopyVideo(placed: PlacedInput[], paths: PlanPaths, reason: string): ConcatPlan {
  const probes = placed.map((p) => p.probe)
  const entries: ConcatListEntry[] = placed.map((p, index) => ({
    path: paths.listPaths?.get(index) ?? p.probe.path,
    inpoint: p.trimStart,
    outpoint: p.trimEnd,
    duration: p.durationSec,
  }))
  return {
    strategy: 'copy-video',
    reason,
    args: copyVideoArgs({
      list: paths.list,
      output: paths.output,
      inputs: placed,
      target: audioTarget(probes),
    }),
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

/** What a finished attempt reports that {@link fallbackPlan} reads. */
export interface AttemptOutcome {
  /** Output streams (0 video, 1 audio) whose timestamps ffmpeg had to patch. */
  nonMonotonous: ReadonlySet<number>
}

/** The clips and settings {@link fallbackPlan} builds another plan from: the ones the first plan was built from. */
export interface FallbackContext {
  placed: PlacedInput[]
  paths: PlanPaths
  profile: Omit<EncodingOptions, 'strategy'>
}

/**
 * What to run instead after an attempt, or null when its output stands.
 * ffmpeg patches timestamps that go backwards (non-monotonous DTS) in a
 * stream copy, and the file then stutters or drifts in players. When only
 * the copied audio of a `copy` was patched, the next plan copies the video
 * and re-encodes the audio (cheap); when the video was, or the audio was
 * already re-encoded (a trimmed copy, a `copy-video`), it re-encodes
 * everything. A re-encode is never redone.
 *
 * @example
 * ```ts
 * let outcome = await run(plan)
 * for (let next = fallbackPlan(plan, outcome, context); next; next = fallbackPlan(plan, outcome, context)) {
 *   plan = next
 *   outcome = await run(plan)
 * }
 * ```
 */
export function fallbackPlan(
  plan: ConcatPlan,
  outcome: AttemptOutcome,
  context: FallbackContext,
): ConcatPlan | null {
  if (plan.strategy === 'reencode' || outcome.nonMonotonous.size === 0) return null
  const { placed, paths, profile } = context
  const audioOnly = [...outcome.nonMonotonous].every((stream) => stream === 1)
  // A copy that already re-encodes its audio names the video codec (`-c:v copy`).
  const audioCopied = !plan.args.includes('-c:v')
  if (plan.strategy === 'copy' && audioOnly && audioCopied) {
    return planCopy(placed, paths, 'encode', `${plan.reason}; the audio copy had non-monotonous timestamps`)
  }
  return planReencode(
    placed,
    profile,
    paths.output,
    `re-encode: the ${plan.strategy === 'copy' ? 'stream' : 'video'} copy had non-monotonous timestamps (${plan.reason})`,
    placed.map((p) => p.probe),
  )
}
