import type { ProbeResult } from '@mastervideo/core'
import { clipLabel } from './concat-compat.js'
import { audioStream } from './media-probe.js'

/** The one audio format a `copy-video` join encodes every clip's sound to (AAC). */
export interface AudioTarget {
  /** Samples per second. */
  sampleRate: number
  /** `mono` or `stereo`, as ffmpeg's filters name a channel layout. */
  layout: 'mono' | 'stereo'
  channels: 1 | 2
}

/** Highest rate kept: more costs bits without a difference anyone hears in a joined video. */
const MAX_RATE = 48_000
const MIN_RATE = 8_000
const DEFAULT_RATE = 48_000

/**
 * Picks the audio format of a join whose clips differ in sound: the highest
 * sample rate among the clips (at most 48 kHz, 48 kHz when none has sound),
 * and stereo unless every clip with sound is mono. No clip loses quality it
 * had, except surround, which is mixed down to stereo.
 *
 * @example
 * ```ts
 * const target = audioTarget(probes) // { sampleRate: 48000, layout: 'stereo', channels: 2 }
 * ```
 */
export function audioTarget(probes: ProbeResult[]): AudioTarget {
  const streams = probes.map(audioStream).filter((s) => s !== undefined)
  const rates = streams.map((s) => s.sampleRate ?? 0).filter((r) => r >= MIN_RATE)
  const sampleRate = rates.length === 0 ? DEFAULT_RATE : Math.min(MAX_RATE, Math.max(...rates))
  const mono = streams.length > 0 && streams.every((s) => s.channels === 1)
  return mono ? { sampleRate, layout: 'mono', channels: 1 } : { sampleRate, layout: 'stereo', channels: 2 }
}

function kHz(rate: number): string {
  return `${Math.round(rate / 100) / 10} kHz`
}

function channelsText(channels: number | undefined): string {
  if (channels === 1) return 'mono'
  if (channels === 2) return 'stereo'
  return `${channels ?? 'unknown'} channels`
}

/** What about one clip's sound differs from the target, in words (`has no audio`, `is 44.1 kHz and mono`), or null. */
export function audioNote(probe: ProbeResult, target: AudioTarget): string | null {
  const audio = audioStream(probe)
  if (!audio) return 'has no audio'
  const notes: string[] = []
  if (audio.codec !== 'aac') notes.push(`has ${audio.codec} audio`)
  if (audio.sampleRate !== target.sampleRate) notes.push(`is ${kHz(audio.sampleRate ?? 0)}`)
  if (audio.channels !== target.channels) notes.push(`is ${channelsText(audio.channels)}`)
  return notes.length === 0 ? null : notes.join(' and ')
}

/** How many clips a reason names before it counts the rest. */
const NAMED = 4

/**
 * Why a join copies the video and normalizes the audio, naming the clips
 * whose sound differs from the target and how: `video copied; audio
 * normalized to AAC 48 kHz stereo: clip 2 (b.mp4) has no audio, clip 3
 * (c.mp4) is 44.1 kHz`. `fallback` is said instead of the list when no clip
 * differs from the target (the clips differ among themselves in a way the
 * target hides, such as the AAC profile).
 */
export function copyVideoReason(probes: ProbeResult[], target: AudioTarget, fallback: string): string {
  const notes = probes.flatMap((probe, index) => {
    const note = audioNote(probe, target)
    return note ? [`${clipLabel(probe, index)} ${note}`] : []
  })
  const named = notes.slice(0, NAMED).join(', ')
  const rest = notes.length > NAMED ? ` and ${notes.length - NAMED} more clips` : ''
  const why = notes.length === 0 ? fallback : `${named}${rest}`
  return `video copied; audio normalized to AAC ${kHz(target.sampleRate)} ${target.layout}: ${why}`
}
