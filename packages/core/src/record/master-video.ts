import type { ErrorCode } from '../errors.js'

/** Where a job is in its life. See `TRANSITIONS` for the allowed moves. */
export type MasterVideoStatus = 'created' | 'processing' | 'completed' | 'failed' | 'canceled'

/** Every status, in life-cycle order. */
export const STATUSES = [
  'created',
  'processing',
  'completed',
  'failed',
  'canceled',
] as const satisfies readonly MasterVideoStatus[]

/** Statuses a job never leaves on its own (only a manual retry or delete moves it). */
export const FINAL_STATUSES: readonly MasterVideoStatus[] = ['completed', 'failed', 'canceled']

/** One clip of the master video, in order. */
export interface Shot {
  /** The id the {@link AssetResolver} turns into a local file. */
  assetId: string
  /** Seconds to skip at the start of the clip. */
  trimStart?: number
  /** Second of the clip at which to stop (absolute, not a length). */
  trimEnd?: number
}

/** A shot as callers may write it: a bare asset id is shorthand for `{ assetId }`. */
export type ShotInput = string | Shot

/**
 * Every way the clips can be joined, in the order a form or `--help` lists them:
 * `auto` copies streams when every clip matches, copies the video and encodes
 * only the audio when only the sound differs, and re-encodes otherwise.
 */
export const CONCAT_STRATEGIES = ['auto', 'copy', 'reencode'] as const

/** How the clips are joined (one of {@link CONCAT_STRATEGIES}). */
export type ConcatStrategy = (typeof CONCAT_STRATEGIES)[number]

/**
 * The strategy that actually ran: `copy` (every stream copied; a trimmed copy
 * re-encodes only its audio), `copy-video` (the video copied, the audio of
 * clips that differ in sound decoded and encoded again as one normalized
 * track: `auto` picks it when only the audio stands in the way of a copy), or
 * `reencode` (everything decoded, normalized and encoded).
 */
export type AppliedStrategy = 'copy' | 'copy-video' | 'reencode'

/** Encoding choices stored with the job and handed to the transcoder. */
export interface EncodingOptions {
  /** Default `auto`. */
  strategy?: ConcatStrategy
  /** x264 preset for re-encoding. Default `medium`. */
  preset?: string
  /** x264 constant rate factor, 0-51. Default 23. */
  crf?: number
  /** Target width for re-encoding (even). Default: the first clip's. */
  width?: number
  /** Target height for re-encoding (even). Default: the first clip's. */
  height?: number
  /** Target frame rate for re-encoding. Default: the first clip's. */
  fps?: number
  /**
   * Smaller versions to encode from the master once it is made, in one
   * ffmpeg pass. A rendition taller than the master is skipped (never
   * upscaled) and listed in {@link MasterVideo.skippedRenditions}.
   */
  renditions?: RenditionSpec[]
  /** Also write an HLS ladder (CMAF segments) of the renditions. `true` uses the defaults. */
  hls?: boolean | HlsOptions
}

/** One rendition a job asks for. */
export interface RenditionSpec {
  /** Unique within the job; used in keys and routes (`720p`). */
  name: string
  /** Output height in pixels (even); the width follows the master's aspect ratio. */
  height: number
  /** x264 constant rate factor for this rendition. Default: the job's `crf`, else 23. */
  crf?: number
}

/** Options of the HLS ladder. */
export interface HlsOptions {
  /** Target segment length in seconds. */
  segmentSec?: number
}

/** A rendition that was made, as stored on the record. */
export interface RenditionOutput {
  name: string
  /** The {@link OutputStore} key of the MP4 file. */
  key: string
  /** Bytes. */
  size: number
  width: number
  height: number
  /** Average bits per second of the file. */
  bitrate: number
}

/** A requested rendition that was not made, and why (it would upscale the master). */
export interface SkippedRendition {
  name: string
  reason: string
}

/** One variant stream of the HLS ladder. */
export interface HlsVariant {
  /** The rendition it streams. */
  name: string
  /** The {@link OutputStore} key of its media playlist. */
  playlistKey: string
  /** The key of its CMAF initialization segment. */
  initKey: string
  /** The keys of its media segments, in order. */
  segmentKeys: string[]
  width: number
  height: number
  /** Peak bits per second, as in the master playlist's `BANDWIDTH`. */
  bandwidth: number
  /** Average bits per second, as in `AVERAGE-BANDWIDTH`. */
  averageBandwidth: number
  /** RFC 6381 codecs string, as in `CODECS`. */
  codecs: string
}

/** The HLS ladder of a completed job. Every key is flat in the {@link OutputStore}. */
export interface HlsOutput {
  /** The key of the master playlist. */
  masterKey: string
  segmentSec: number
  variants: HlsVariant[]
}

/**
 * W3C trace context (`traceparent`, optionally `tracestate`) of the request
 * that created a job, as an OpenTelemetry propagator writes it into a carrier.
 */
export type TraceContext = Record<string, string>

/** Why the last attempt failed, as stored on the record. */
export interface JobError {
  code: ErrorCode
  message: string
}

/** The finished master video, as stored on the record. */
export interface MasterVideoOutput {
  /** The {@link OutputStore} key of the video file. */
  key: string
  /** Bytes. */
  size: number
  durationSec: number
  width: number
  height: number
  strategy: AppliedStrategy
  /**
   * The media type of the file (`video/mp4`). Records written before this
   * field existed lack it; read it as {@link OUTPUT_CONTENT_TYPES}`.video`.
   */
  contentType?: string
}

/** The media types of the files a job writes: the master video and its poster frame. */
export const OUTPUT_CONTENT_TYPES = { video: 'video/mp4', thumbnail: 'image/jpeg' } as const

/** One master-video job: everything a repository stores about it. */
export interface MasterVideo {
  /** `master_<ms>_<8 chars>` by default. */
  id: string
  projectId: string
  name: string
  shots: Shot[]
  status: MasterVideoStatus
  /** 0..1 while processing; 1 when completed. */
  progress: number
  /** Claims so far, including the running one. Reset by a manual retry. */
  attempts: number
  maxAttempts: number
  /** The job is not claimed before this time (retry backoff). */
  runAt: Date
  /** The worker that holds the job while `processing`. */
  leaseOwner: string | null
  /**
   * The token of the current claim. Every write of that attempt is fenced by it;
   * a new claim gets a new token. Internal to workers: never show it to clients.
   */
  leaseToken: string | null
  leaseExpiresAt: Date | null
  /** The last attempt's error; kept while a retry is pending, cleared on success. */
  error: JobError | null
  output: MasterVideoOutput | null
  /** The {@link OutputStore} key of the JPEG poster, if one was made. */
  thumbnailKey: string | null
  /** The renditions made from the master; empty when none were asked for or until completed. */
  renditions: RenditionOutput[]
  /** Requested renditions that were not made, with the reason. */
  skippedRenditions: SkippedRendition[]
  /** The HLS ladder, when one was asked for and made. */
  hls: HlsOutput | null
  /** The trace context of the request that created the job, or `null`. */
  traceContext: TraceContext | null
  encoding: EncodingOptions
  idempotencyKey: string | null
  createdAt: Date
  updatedAt: Date
  /** When the current or last attempt started. */
  startedAt: Date | null
  completedAt: Date | null
}

/** What {@link Repository.create} stores: a validated job before it has a status. */
export interface NewMasterVideo {
  id: string
  projectId: string
  name: string
  shots: Shot[]
  maxAttempts: number
  encoding: EncodingOptions
  idempotencyKey: string | null
  /** The trace context of the creating request, for the worker's span to link to. */
  traceContext?: TraceContext | null
  /**
   * Earliest start. Absent: the repository's own "now" (the database clock for
   * PostgreSQL), so an API machine whose clock runs ahead does not delay its jobs.
   */
  runAt?: Date
}
