import type { ConcatInput, ProbeResult } from '@mastervideo/core'
import { annotateActiveSpan, withSpan } from '@mastervideo/core/adapter'
import { ORIGIN } from './errors.js'

/**
 * Probes a concat's inputs inside a `mastervideo.probe` span (a child of the
 * caller's `mastervideo.concat` span when it traces), with the number of
 * clips and of distinct files. No-op without OpenTelemetry.
 */
export function probeSpan(
  inputs: ConcatInput[],
  probe: () => Promise<ProbeResult[]>,
): Promise<ProbeResult[]> {
  return withSpan(
    'mastervideo.probe',
    { scope: ORIGIN, attributes: { 'mastervideo.concat.inputs': inputs.length } },
    async (span) => {
      const probes = await probe()
      span.setAttributes({
        'mastervideo.probe.files': new Set(probes.map((p) => p.path)).size,
        'mastervideo.probe.seconds': probes.reduce((sum, p) => sum + p.durationSec, 0),
      })
      return probes
    },
  )
}

/** Puts the seconds of input a plan joins (trims applied) on the caller's active span. */
export function inputSecondsOf(totalSec: number): void {
  annotateActiveSpan({ 'mastervideo.concat.input_seconds': totalSec })
}
