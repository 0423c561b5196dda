import './cjs-conditions.js'
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { webhookEventId } from '@mastervideo/core/adapter'
import { newJob, writeTestClip } from '@mastervideo/core/testing'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresRepository } from '../src/index.js'
import { repoRoot, usePostgres } from './helpers.js'

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLW91dGJveC1raWxs'
const script = fileURLToPath(new URL('./fixtures/outbox-worker.ts', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const db = usePostgres()

let dir: string
let clip: string
let server: Server | undefined
const children: ChildProcess[] = []
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-pg-outbox-kill-'))
  clip = await writeTestClip(path.join(dir, 'clip.bin'), {}, 64)
})
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  server?.closeAllConnections()
  server?.close()
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A local receiver; `hold` decides per request whether to leave it unanswered (a sender killed mid-send). */
async function receiver(hold: (n: number) => boolean) {
  const received: { id: string; verified: boolean }[] = []
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      let verified = true
      try {
        new Webhook(SECRET).verify(body, req.headers as Record<string, string>)
      } catch {
        verified = false
      }
      received.push({ id: String(req.headers['webhook-id']), verified })
      if (!hold(received.length)) res.end()
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (predicate()) return
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Forks a worker machine; resolves once it is ready. */
async function machine(repo: PostgresRepository, hook: string, pollMs: number) {
  const options = {
    url: db.url(),
    schema: repo.schema,
    clip,
    out: path.join(dir, 'out'),
    hook,
    secret: SECRET,
    pollMs,
  }
  const child = fork(script, [JSON.stringify(options)], {
    cwd: repoRoot,
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.push(child)
  const messages: Record<string, unknown>[] = []
  child.on('message', (message) => messages.push(message as Record<string, unknown>))
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  )
  await until(() => messages.some((m) => 'ready' in m) || child.exitCode !== null, 'the worker to start')
  expect(child.exitCode).toBeNull()
  return {
    completed: () => messages.some((m) => 'completed' in m),
    async kill() {
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
    },
  }
}

describe('the webhook outbox survives a kill (PostgreSQL, real worker processes)', () => {
  it('killed after the completion committed and before any send: a fresh machine delivers it', async () => {
    const repo = await db.repository()
    const hook = await receiver(() => false)
    // Polls once at start, then only after a minute: it completes the job and never sends.
    const first = await machine(repo, hook.url, 60_000)
    const { record } = await repo.create(newJob({ shots: [{ assetId: 'a' }] }))
    await until(first.completed, 'the completion')
    await first.kill()
    expect(hook.received).toEqual([])
    const done = await repo.get(record.id)
    expect(done?.status).toBe('completed')
    expect(await repo.outbox.counts()).toEqual({ pending: 1, delivered: 0, dead: 0 })

    await machine(repo, hook.url, 50)
    await until(() => hook.received.length > 0, 'the delivery')
    await sleep(300)
    expect(hook.received).toEqual([
      { id: webhookEventId('master_video.completed', done ?? record), verified: true },
    ])
    expect(await repo.outbox.counts()).toEqual({ pending: 0, delivered: 1, dead: 0 })
    await db.drop(repo.schema)
    await repo.close()
  })

  it('killed mid-send: the same event id again once its claim lapses', async () => {
    const repo = await db.repository()
    const hook = await receiver((n) => n === 1)
    const first = await machine(repo, hook.url, 50)
    const { record } = await repo.create(newJob({ shots: [{ assetId: 'a' }] }))
    await until(() => hook.received.length === 1, 'the first send')
    await first.kill()

    await machine(repo, hook.url, 50)
    await until(() => hook.received.length >= 2, 'the delivery again')
    await sleep(300)
    const id = webhookEventId('master_video.completed', (await repo.get(record.id)) ?? record)
    expect(hook.received).toEqual([
      { id, verified: true },
      { id, verified: true },
    ])
    expect(await repo.outbox.list()).toMatchObject([{ status: 'delivered', attempts: 2 }])
    await db.drop(repo.schema)
    await repo.close()
  })
})
