import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  AssetNotFoundError,
  CanceledError,
  InputInvalidError,
  isMasterVideoError,
  type MasterVideoError,
} from '../errors.js'
import type { ConcatRequest, ProbeResult, Transcoder } from '../transcoder/transcoder.js'

const MAGIC = 'MVTEST'

/** The shape of a test clip. */
export interface TestClip {
  durationSec: number
  width: number
  height: number
}

/**
 * Writes a "clip" that {@link testTranscoder} understands: a one-line header
 * (`MVTEST <seconds> <width>x<height>`) and some payload bytes. Not a video:
 * it exists so core and the HTTP layer can be tested without ffmpeg.
 */
export async function writeTestClip(
  file: string,
  clip: Partial<TestClip> = {},
  payloadBytes = 4096,
): Promise<string> {
  const { durationSec = 1, width = 320, height = 240 } = clip
  const header = Buffer.from(`${MAGIC} ${durationSec} ${width}x${height}\n`)
  await writeFile(file, Buffer.concat([header, randomBytes(payloadBytes)]))
  return file
}

// A 1x1 white baseline JPEG: the smallest honest poster frame.
const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
)

/** Options of {@link testTranscoder}. */
export interface TestTranscoderOptions {
  /** How long one concat takes, in ms. Default 50. */
  durationMs?: number
  /** How many progress reports one concat makes. Default 5. */
  steps?: number
  /**
   * Errors the successive `concat` calls throw, in order; `null` lets that call
   * succeed. Calls past the end of the list succeed.
   */
  failures?: Array<MasterVideoError | Error | null>
  /** Called when a concat starts (count from 1), for tests that need to act mid-job. */
  onConcatStart?: (call: number, request: ConcatRequest) => void
}

/** A {@link Transcoder} for tests, with the number of calls it has seen. */
export interface TestTranscoder extends Transcoder {
  readonly calls: { concat: number; probe: number; thumbnail: number }
  /** Concats running now. */
  readonly running: number
}

function abortError(signal: AbortSignal): Error {
  return isMasterVideoError(signal.reason) ? signal.reason : new CanceledError('aborted')
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * A transcoder that really joins files (byte concatenation of
 * {@link writeTestClip} clips) and honours the {@link Transcoder} contract:
 * progress, abort, typed errors, no leftovers. It is what core's own tests and
 * the HTTP tests run against; it passes `transcoderConformance()`.
 *
 * @example
 * ```ts
 * import { testTranscoder } from '@mastervideo/core/testing'
 * import { TranscodeFailedError } from '@mastervideo/core'
 *
 * // fails once, then succeeds
 * const transcoder = testTranscoder({ failures: [new TranscodeFailedError('boom')] })
 * ```
 */
export function testTranscoder(options: TestTranscoderOptions = {}): TestTranscoder {
  const calls = { concat: 0, probe: 0, thumbnail: 0 }
  let running = 0
  const durationMs = options.durationMs ?? 50
  const steps = Math.max(1, options.steps ?? 5)

  async function probe(file: string): Promise<ProbeResult> {
    calls.probe++
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (cause) {
      throw new AssetNotFoundError(`No such clip ${path.basename(file)}`, { cause })
    }
    const header = bytes.subarray(0, Math.min(bytes.length, 64)).toString('latin1').split('\n')[0] ?? ''
    const match = new RegExp(`^${MAGIC} ([0-9.]+) (\\d+)x(\\d+)$`).exec(header)
    if (!match) throw new InputInvalidError(`${path.basename(file)} is not a test clip`)
    return {
      path: file,
      durationSec: Number(match[1]),
      container: 'mvtest',
      sizeBytes: bytes.length,
      streams: [
        { index: 0, type: 'video', codec: 'mvtest', width: Number(match[2]), height: Number(match[3]) },
      ],
    }
  }

  return {
    calls,
    get running() {
      return running
    },
    probe: (file) => probe(file),
    async concat(request) {
      calls.concat++
      const call = calls.concat
      const { signal, onProgress } = request
      if (signal?.aborted) throw abortError(signal)
      if (request.inputs.length === 0) throw new InputInvalidError('No inputs')
      running++
      const temp = path.join(path.dirname(request.output), `.partial-${randomBytes(4).toString('hex')}`)
      try {
        options.onConcatStart?.(call, request)
        const probes = []
        for (const input of request.inputs) probes.push(await probe(input.path))
        const failure = options.failures?.[call - 1]
        onProgress?.(0)
        for (let step = 1; step <= steps; step++) {
          await sleep(durationMs / steps, signal)
          if (failure && step === Math.ceil(steps / 2)) throw failure
          onProgress?.(step / steps)
        }
        // The joined "video": a header with the summed duration, then every clip's bytes.
        const first = probes[0]?.streams[0]
        const width = request.profile?.width ?? first?.width ?? 0
        const height = request.profile?.height ?? first?.height ?? 0
        const durationSec = probes.reduce((sum, p) => sum + p.durationSec, 0)
        const parts = await Promise.all(request.inputs.map((input) => readFile(input.path)))
        await writeFile(
          temp,
          Buffer.concat([Buffer.from(`${MAGIC} ${durationSec} ${width}x${height}\n`), ...parts]),
        )
        if (signal?.aborted) throw abortError(signal)
        await rename(temp, request.output)
        return {
          strategy: request.strategy === 'reencode' ? 'reencode' : 'copy',
          durationSec,
          width,
          height,
          sizeBytes: (await stat(request.output)).size,
          reason: 'test transcoder: byte concatenation',
        }
      } catch (error) {
        await rm(temp, { force: true })
        throw error
      } finally {
        running--
      }
    },
    async thumbnail(input, output, thumbOptions) {
      calls.thumbnail++
      if (thumbOptions?.signal?.aborted) throw abortError(thumbOptions.signal)
      await probe(input)
      await writeFile(output, TINY_JPEG)
    },
  }
}
