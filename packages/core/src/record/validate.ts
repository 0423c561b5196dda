import { ValidationError } from '../errors.js'
import type {
  ConcatStrategy,
  EncodingOptions,
  HlsOptions,
  MasterVideoStatus,
  RenditionSpec,
  Shot,
  ShotInput,
} from './master-video.js'
import { CONCAT_STRATEGIES, STATUSES } from './master-video.js'

/** Limits `create()` enforces on its input. */
export const LIMITS = {
  maxShots: 500,
  maxNameLength: 500,
  maxIdLength: 200,
  maxAssetIdLength: 1024,
  maxIdempotencyKeyLength: 255,
  maxAttempts: 20,
  maxRenditions: 8,
  maxRenditionNameLength: 32,
  minRenditionHeight: 32,
  maxRenditionHeight: 4320,
  minSegmentSec: 1,
  maxSegmentSec: 30,
} as const

/** A rendition name: lower-case letters, digits, `_` and `-`, so it is safe in store keys and URLs. */
const RENDITION_NAME = /^[a-z0-9_-]+$/

/** x264's presets, slowest last. */
export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const

function fail(message: string, field: string): never {
  throw new ValidationError(message, { details: { field } })
}

function hasControlChars(value: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(value)
}

/** Unpaired UTF-16 surrogates cannot be stored as UTF-8 text: databases turn them into U+FFFD. */
function isWellFormed(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
}

/** A non-empty identifier without control characters (project ids, job ids). */
export function validateId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${field} must be a non-empty string`, field)
  if (value.length > LIMITS.maxIdLength)
    fail(`${field} is longer than ${LIMITS.maxIdLength} characters`, field)
  if (hasControlChars(value)) fail(`${field} must not contain control characters`, field)
  if (!isWellFormed(value)) fail(`${field} must be well-formed Unicode (no unpaired surrogates)`, field)
  return value
}

function validateShot(input: ShotInput, index: number): Shot {
  const field = `shots[${index}]`
  const shot: Shot = typeof input === 'string' ? { assetId: input } : input
  if (shot === null || typeof shot !== 'object') fail(`${field} must be an asset id or { assetId }`, field)
  const { assetId, trimStart, trimEnd } = shot
  if (typeof assetId !== 'string' || assetId === '')
    fail(`${field}.assetId must be a non-empty string`, field)
  if (assetId.length > LIMITS.maxAssetIdLength) fail(`${field}.assetId is too long`, field)
  if (assetId.includes('\u0000')) fail(`${field}.assetId must not contain NUL`, field)
  if (!isWellFormed(assetId)) fail(`${field}.assetId must be well-formed Unicode`, field)
  for (const [key, value] of [
    ['trimStart', trimStart],
    ['trimEnd', trimEnd],
  ] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      fail(`${field}.${key} must be a number of seconds >= 0`, field)
    }
  }
  if (trimStart !== undefined && trimEnd !== undefined && trimEnd <= trimStart) {
    fail(`${field}.trimEnd must be greater than trimStart`, field)
  }
  const out: Shot = { assetId }
  if (trimStart !== undefined) out.trimStart = trimStart
  if (trimEnd !== undefined) out.trimEnd = trimEnd
  return out
}

/** Normalizes and checks a shot list: 1..500 shots, strings expanded to `{ assetId }`. */
export function validateShots(value: unknown): Shot[] {
  if (!Array.isArray(value)) fail('shots must be an array', 'shots')
  if (value.length === 0) fail('shots must contain at least one shot', 'shots')
  if (value.length > LIMITS.maxShots) fail(`shots must contain at most ${LIMITS.maxShots} shots`, 'shots')
  return value.map((shot, index) => validateShot(shot as ShotInput, index))
}

function positiveInt(value: unknown, field: string, max: number, even = false): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    fail(`encoding.${field} must be an integer between 1 and ${max}`, `encoding.${field}`)
  }
  if (even && value % 2 !== 0) fail(`encoding.${field} must be even (yuv420p needs it)`, `encoding.${field}`)
  return value
}

/** Checks encoding options against the known values. */
export function validateEncoding(value: unknown): EncodingOptions {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) fail('encoding must be an object', 'encoding')
  const input = value as Record<string, unknown>
  const known = new Set(['strategy', 'preset', 'crf', 'width', 'height', 'fps', 'renditions', 'hls'])
  for (const key of Object.keys(input)) {
    if (!known.has(key)) fail(`encoding.${key} is not a known option`, `encoding.${key}`)
  }
  const out: EncodingOptions = {}
  if (input.strategy !== undefined) {
    if (!CONCAT_STRATEGIES.includes(input.strategy as ConcatStrategy)) {
      fail(`encoding.strategy must be one of ${CONCAT_STRATEGIES.join(', ')}`, 'encoding.strategy')
    }
    out.strategy = input.strategy as ConcatStrategy
  }
  if (input.preset !== undefined) {
    if (!X264_PRESETS.includes(input.preset as (typeof X264_PRESETS)[number])) {
      fail(`encoding.preset must be one of ${X264_PRESETS.join(', ')}`, 'encoding.preset')
    }
    out.preset = input.preset as string
  }
  if (input.crf !== undefined) {
    if (typeof input.crf !== 'number' || !Number.isInteger(input.crf) || input.crf < 0 || input.crf > 51) {
      fail('encoding.crf must be an integer between 0 and 51', 'encoding.crf')
    }
    out.crf = input.crf
  }
  if (input.width !== undefined) out.width = positiveInt(input.width, 'width', 7680, true)
  if (input.height !== undefined) out.height = positiveInt(input.height, 'height', 4320, true)
  if ((out.width === undefined) !== (out.height === undefined)) {
    fail('encoding.width and encoding.height must be given together', 'encoding.width')
  }
  if (input.fps !== undefined) {
    if (typeof input.fps !== 'number' || !Number.isFinite(input.fps) || input.fps <= 0 || input.fps > 240) {
      fail('encoding.fps must be a number between 0 and 240', 'encoding.fps')
    }
    out.fps = input.fps
  }
  // An empty list and `hls: false` are kept: laid over other options, they turn a ladder off.
  const renditions = validateRenditions(input.renditions)
  if (renditions) out.renditions = renditions
  const hls = validateHls(input.hls)
  if (hls !== undefined) out.hls = hls
  // `hls` without renditions is checked on the merged options (validateLadder).
  return out
}

function validateRendition(value: unknown, index: number, seen: Set<string>): RenditionSpec {
  const field = `encoding.renditions[${index}]`
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`${field} must be an object like { name: '720p', height: 720 }`, field)
  }
  const input = value as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (!['name', 'height', 'crf'].includes(key))
      fail(`${field}.${key} is not a known option`, `${field}.${key}`)
  }
  const { name, height, crf } = input
  if (typeof name !== 'string' || name.length > LIMITS.maxRenditionNameLength || !RENDITION_NAME.test(name)) {
    fail(
      `${field}.name must be 1 to ${LIMITS.maxRenditionNameLength} characters of a-z, 0-9, _ and -`,
      `${field}.name`,
    )
  }
  if (seen.has(name)) fail(`${field}.name ${JSON.stringify(name)} is used twice`, `${field}.name`)
  seen.add(name)
  const { minRenditionHeight: min, maxRenditionHeight: max } = LIMITS
  if (typeof height !== 'number' || !Number.isInteger(height) || height < min || height > max) {
    fail(`${field}.height must be an integer between ${min} and ${max}`, `${field}.height`)
  }
  if (height % 2 !== 0) fail(`${field}.height must be even (yuv420p needs it)`, `${field}.height`)
  const out: RenditionSpec = { name, height }
  if (crf !== undefined) {
    if (typeof crf !== 'number' || !Number.isInteger(crf) || crf < 0 || crf > 51) {
      fail(`${field}.crf must be an integer between 0 and 51`, `${field}.crf`)
    }
    out.crf = crf
  }
  return out
}

/**
 * `renditions`: up to {@link LIMITS}`.maxRenditions` of `{ name, height, crf? }`,
 * names unique and made of `a-z0-9_-` (they become parts of store keys and
 * URLs), heights even. An empty list is no rendition (it is kept, so that
 * laid over other options it turns theirs off); `undefined` is none given.
 *
 * @example
 * ```ts
 * import { validateRenditions } from '@mastervideo/core'
 *
 * validateRenditions([{ name: '720p', height: 720 }, { name: '480p', height: 480, crf: 26 }])
 * ```
 */
export function validateRenditions(value: unknown): RenditionSpec[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) fail('encoding.renditions must be an array', 'encoding.renditions')
  if (value.length > LIMITS.maxRenditions) {
    fail(`encoding.renditions must hold at most ${LIMITS.maxRenditions} renditions`, 'encoding.renditions')
  }
  const seen = new Set<string>()
  return value.map((item, index) => validateRendition(item, index, seen))
}

/**
 * `hls`: `true`, `false` (none) or `{ segmentSec }` with a segment length of
 * {@link LIMITS}`.minSegmentSec` to `maxSegmentSec` seconds; `undefined`
 * when none is given.
 */
export function validateHls(value: unknown): boolean | HlsOptions | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'boolean') return value
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail('encoding.hls must be true, false or { segmentSec }', 'encoding.hls')
  }
  const input = value as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (key !== 'segmentSec') fail(`encoding.hls.${key} is not a known option`, `encoding.hls.${key}`)
  }
  const { segmentSec } = input
  if (segmentSec === undefined) return {}
  const { minSegmentSec: min, maxSegmentSec: max } = LIMITS
  if (
    typeof segmentSec !== 'number' ||
    !Number.isFinite(segmentSec) ||
    segmentSec < min ||
    segmentSec > max
  ) {
    fail(
      `encoding.hls.segmentSec must be a number of seconds from ${min} to ${max}`,
      'encoding.hls.segmentSec',
    )
  }
  return { segmentSec }
}

/**
 * Checks what `renditions` and `hls` ask of each other, on the options as
 * they will be stored (a job's own over the service's defaults): an HLS
 * ladder streams the renditions, so it needs at least one.
 */
export function validateLadder(encoding: EncodingOptions): EncodingOptions {
  if (encoding.hls && !encoding.renditions?.length) {
    fail('encoding.hls needs at least one rendition to stream (encoding.renditions)', 'encoding.hls')
  }
  return encoding
}

/** The display name: trimmed of surrounding spaces, non-empty, no control characters but tab. */
export function validateName(value: unknown): string {
  if (typeof value !== 'string') fail('name must be a string', 'name')
  const name = value.trim()
  if (name === '') fail('name must not be empty or only spaces', 'name')
  if (name.length > LIMITS.maxNameLength)
    fail(`name is longer than ${LIMITS.maxNameLength} characters`, 'name')
  if (name.includes('\u0000')) fail('name must not contain NUL', 'name')
  if (!isWellFormed(name)) fail('name must be well-formed Unicode (no unpaired surrogates)', 'name')
  return name
}

/** A status filter value. */
export function validateStatus(value: unknown): MasterVideoStatus {
  if (!STATUSES.includes(value as MasterVideoStatus)) {
    fail(`status must be one of ${STATUSES.join(', ')}`, 'status')
  }
  return value as MasterVideoStatus
}

/** An optional idempotency key. */
export function validateIdempotencyKey(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > LIMITS.maxIdempotencyKeyLength ||
    !isWellFormed(value)
  ) {
    fail(
      `idempotencyKey must be a string of 1 to ${LIMITS.maxIdempotencyKeyLength} characters`,
      'idempotencyKey',
    )
  }
  return value
}

/** `maxAttempts`: default 3. */
export function validateMaxAttempts(value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxAttempts) {
    fail(`maxAttempts must be an integer between 1 and ${LIMITS.maxAttempts}`, 'maxAttempts')
  }
  return value
}
