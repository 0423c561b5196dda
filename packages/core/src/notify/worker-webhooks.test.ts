import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { localOutputStore } from '../output/local-output-store.js'
import { memoryRepository } from '../repository/memory-repository.js'
import { createMasterVideos } from '../service/master-videos.js'
import { testTranscoder, writeTestClip } from '../testing/test-transcoder.js'
import { webhookEventId } from './webhook-payload.js'
import { startWorkerWebhooks } from './worker-webhooks.js'

let server: Server | undefined
afterEach(() => {
  server?.close()
})

async function receiver(): Promise<{ url: string; ids: string[] }> {
  const ids: string[] = []
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']))
      res.end()
    })
  })
  const listening = server
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/`, ids }
}

describe('a worker with webhooks', () => {
  it('delivers the outcome of the jobs it runs from the outbox', async () => {
    const hook = await receiver()
    const dir = await mkdtemp(path.join(tmpdir(), 'mv-worker-webhooks-'))
    const clip = await writeTestClip(path.join(dir, 'a.bin'))
    const repository = memoryRepository()
    const mv = createMasterVideos({
      repository,
      transcoder: testTranscoder({ durationMs: 5 }),
      assets: () => clip,
      output: localOutputStore(path.join(dir, 'out')),
    })
    mv.worker({
      webhooks: { endpoints: [{ name: 'default', url: hook.url, secret: 's' }], pollMs: 20 },
    }).start()
    await repository.outbox?.registerEndpoints(['default'])
    const job = await mv.create({ projectId: 'p1', name: 'n', shots: ['a'] })
    const done = await mv.waitFor(job.id, { timeoutMs: 10_000 })
    for (let i = 0; i < 200 && hook.ids.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    await mv.close({ graceMs: 0 })
    await rm(dir, { recursive: true, force: true })
    expect(hook.ids).toEqual([webhookEventId('master_video.completed', done)])
  })

  it('without endpoints or without an outbox starts nothing, and says why when the outbox is missing', () => {
    const warnings: string[] = []
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: unknown, message?: string) => warnings.push(String(message)),
    }
    const { outbox: _none, ...bare } = memoryRepository()
    const endpoints = [{ name: 'default', url: 'http://127.0.0.1:9/', secret: 's' }]
    expect(startWorkerWebhooks(memoryRepository(), undefined, logger)).toBeNull()
    expect(startWorkerWebhooks(memoryRepository(), { endpoints: [] }, logger)).toBeNull()
    expect(warnings).toEqual([])
    expect(startWorkerWebhooks(bare, { endpoints }, logger)).toBeNull()
    expect(warnings[0]).toMatch(/no outbox/)
  })
})
