// `mastervideo worker --metrics-port`: Prometheus text at /metrics on its own
// listener (127.0.0.1 unless --metrics-host), closed with the worker.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prometheusSamples, sampleValue } from './prometheus-text.js'

const root = path.resolve(import.meta.dirname, '../../..')
const bin = path.resolve(import.meta.dirname, '../src/bin.ts')

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-worker-metrics-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mastervideo worker --metrics-port', () => {
  it('serves /metrics on 127.0.0.1 while it runs', { timeout: 60_000 }, async () => {
    const worker = execa(
      process.execPath,
      [
        '--conditions=@mastervideo/source',
        '--import',
        'tsx',
        bin,
        'worker',
        '--data',
        dir,
        '--concurrency',
        '2',
        '--metrics-port',
        '0',
      ],
      { cwd: root, reject: false, env: { FORCE_COLOR: '0' } },
    )
    const url = await new Promise<string>((resolve, reject) => {
      let seen = ''
      worker.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString()
        const found = /metrics=(http:\/\/\S+\/metrics)/.exec(seen)
        if (found) resolve(found[1] as string)
      })
      worker.once('exit', () => reject(new Error(`the worker exited before it was ready:\n${seen}`)))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)

    const res = await fetch(url)
    expect(res.status).toBe(200)
    const samples = prometheusSamples(await res.text())
    expect(sampleValue(samples, 'mastervideo_worker_slots', { mastervideo_slot_state: 'free' })).toBe(2)
    expect(sampleValue(samples, 'mastervideo_worker_slots', { mastervideo_slot_state: 'busy' })).toBe(0)
    expect(sampleValue(samples, 'mastervideo_queue_depth', { mastervideo_job_status: 'created' })).toBe(0)
    expect((await fetch(new URL('/other', url))).status).toBe(404)

    worker.kill('SIGTERM')
    expect((await worker).exitCode).toBe(0)
    await expect(fetch(url)).rejects.toThrow()
  })
})
