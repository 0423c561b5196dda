// GET /metrics of the standalone server: after a real job (ffmpeg, a 1 s
// lavfi clip) the job is counted, its durations observed, its bytes served.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CORE_METRICS, HTTP_METRICS, type MetricDefinition, silentLogger } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lavfiClip } from '../../adapter-s3/test/fixtures/lavfi-clip.js'
import { type RunningServer, startServer } from '../src/server/start-server.js'
import { prometheusSamples, sampleValue } from './prometheus-text.js'

const DASHBOARD = new URL('../../../examples/deploy/grafana/mastervideo-dashboard.json', import.meta.url)

/** The names a Prometheus exporter gives the series of one OpenTelemetry metric. */
function prometheusNames(metric: MetricDefinition): string[] {
  const base = metric.name.replaceAll('.', '_')
  if (metric.kind === 'counter') return [`${base}_total`]
  if (metric.kind === 'histogram') return [`${base}_bucket`, `${base}_sum`, `${base}_count`]
  return [base]
}

describe('GET /metrics of the standalone server', () => {
  let dir: string
  let server: RunningServer
  let text: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mv-cli-metrics-'))
    await mkdir(path.join(dir, 'assets', 'p1'), { recursive: true })
    await lavfiClip(path.join(dir, 'assets', 'p1', 'a.mp4'))
    await writeFile(path.join(dir, 'assets', 'p1', 'bad.mp4'), 'not a video')
    server = await startServer({
      dataDir: dir,
      port: 0,
      demo: false,
      logger: silentLogger,
      pollIntervalMs: 100,
    })
    const create = async (name: string, shots: string[]) => {
      const res = await fetch(new URL('api/projects/p1/master-videos', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, shots, maxAttempts: 1 }),
      })
      expect(res.status).toBe(201)
      return ((await res.json()) as { id: string }).id
    }
    const ok = await create('cut', ['a.mp4', 'a.mp4'])
    await server.mv.waitFor(ok, { pollMs: 100, timeoutMs: 60_000 })
    const bad = await create('broken', ['bad.mp4'])
    await server.mv.waitFor(bad, { pollMs: 100, timeoutMs: 60_000 }).catch(() => {})
    const video = await fetch(new URL(`api/projects/p1/master-videos/${ok}/video`, server.url))
    expect(video.status).toBe(200)
    await video.arrayBuffer()
    const res = await fetch(new URL('metrics', server.url))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    text = await res.text()
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('counts the jobs created, completed and failed by code', () => {
    const samples = prometheusSamples(text)
    expect(sampleValue(samples, 'mastervideo_jobs_created_total')).toBe(2)
    expect(sampleValue(samples, 'mastervideo_jobs_completed_total', { mastervideo_strategy: 'copy' })).toBe(1)
    expect(sampleValue(samples, 'mastervideo_jobs_failed_total', { error_type: 'INPUT_INVALID' })).toBe(1)
  })

  it('observes the queue wait, the processing time and the end-to-end duration', () => {
    const samples = prometheusSamples(text)
    expect(sampleValue(samples, 'mastervideo_job_queue_duration_count')).toBe(2)
    const processing = { mastervideo_outcome: 'completed' }
    expect(sampleValue(samples, 'mastervideo_job_processing_duration_count', processing)).toBe(1)
    expect(sampleValue(samples, 'mastervideo_job_processing_duration_sum', processing)).toBeGreaterThan(0)
    expect(sampleValue(samples, 'mastervideo_job_duration_count', processing)).toBe(1)
    expect(sampleValue(samples, 'mastervideo_job_duration_count', { mastervideo_outcome: 'failed' })).toBe(1)
  })

  it('reports media seconds encoded, the queue, the worker slots and the bytes served', () => {
    const samples = prometheusSamples(text)
    expect(
      sampleValue(samples, 'mastervideo_media_encoded_total', { mastervideo_strategy: 'copy' }),
    ).toBeCloseTo(2, 0)
    expect(sampleValue(samples, 'mastervideo_queue_depth', { mastervideo_job_status: 'created' })).toBe(0)
    expect(sampleValue(samples, 'mastervideo_queue_oldest_age')).toBe(0)
    expect(sampleValue(samples, 'mastervideo_worker_slots', { mastervideo_slot_state: 'free' })).toBe(1)
    const served = { mastervideo_file_type: 'video/mp4', http_response_status_code: '200' }
    expect(sampleValue(samples, 'mastervideo_http_response_body_size_count', served)).toBe(1)
    expect(sampleValue(samples, 'mastervideo_http_response_body_size_sum', served)).toBeGreaterThan(1000)
  })

  it('serves every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: { targets: { expr: string }[] }[]
    }
    const queried = new Set(
      dashboard.panels.flatMap((p) =>
        // Label matchers and grouping name labels, not metrics: leave them out.
        p.targets.flatMap(
          (t) => t.expr.replace(/\{[^}]*\}|by \([^)]*\)/g, '').match(/\bmastervideo_[a-z_]+/g) ?? [],
        ),
      ),
    )
    const registered = new Map(
      [...CORE_METRICS, ...HTTP_METRICS].flatMap((m) =>
        prometheusNames(m).map((name) => [name, m.name] as const),
      ),
    )
    const scraped = new Set(prometheusSamples(text).map((s) => s.name))
    expect(queried.size).toBeGreaterThan(10)
    for (const name of queried) {
      expect(registered.has(name), `${name} is a metric the code registers`).toBe(true)
      // A counter has no series until it is first added to: no retryable failure happened in this run.
      if (name !== 'mastervideo_jobs_retried_total')
        expect(scraped.has(name), `${name} is in /metrics`).toBe(true)
    }
  })

  it('lists every metric in docs/observability.md', async () => {
    const doc = await readFile(new URL('../../../docs/observability.md', import.meta.url), 'utf8')
    for (const metric of [...CORE_METRICS, ...HTTP_METRICS]) expect(doc).toContain(`| \`${metric.name}\` |`)
  })
})
