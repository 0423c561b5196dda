import { type ChildProcess, fork } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { webhookEventId } from '@mastervideo/core/adapter'
import { newJob, writeTestClip } from '@mastervideo/core/testing'
import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteRepository } from '../src/index.js'

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLW91dGJveC1raWxs'
const script = path.join(import.meta.dirname, 'fixtures', 'outbox-child.ts')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Received {
  id: string
  verified: boolean
}

let root: string
let server: Server | undefined
const children: ChildProcess[] = []
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mv-outbox-kill-'))
  await mkdir(path.join(root, 'assets'))
  await mkdir(path.join(root, 'out'))
  for (const name of ['a', 'b']) await writeTestClip(path.join(root, 'assets', `${name}.bin`))
})
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  server?.close()
  server?.closeAllConnections()
  await rm(root, { recursive: true, force: true })
})

/** A local receiver; `hold` decides per request whether to leave it unanswered (a sender killed mid-send). */
async function receiver(hold: (n: number) => boolean) {
  const received: Received[] = []
  const listeners: (() => void)[] = []
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
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
      for (const listener of listeners.splice(0)) listener()
      if (!hold(received.length)) res.end()
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    /** Resolves when a request arrives. */
    next: () => new Promise<void>((resolve) => listeners.push(resolve)),
  }
}

/** Forks the worker child; resolves once it is ready, with a queue of its messages. */
async function worker(file: string, url: string, pollMs: number) {
  const child = fork(script, [file, root, url, String(pollMs)], {
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.push(child)
  const messages: Record<string, unknown>[] = []
  child.on('message', (message) => messages.push(message as Record<string, unknown>))
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  )
  const waitFor = async (key: string) => {
    for (let i = 0; i < 1500; i++) {
      const found = messages.find((m) => key in m)
      if (found) return found
      if (child.exitCode !== null) throw new Error(`worker exited before ${key}`)
      await sleep(10)
    }
    throw new Error(`no ${key} from the worker`)
  }
  await waitFor('ready')
  return {
    waitFor,
    async kill() {
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
    },
  }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (predicate()) return
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('the webhook outbox survives a kill (SQLite file, real worker processes)', () => {
  it('killed after the completion committed and before any send: a fresh process delivers it', async () => {
    const file = path.join(root, 'mv.sqlite')
    const hook = await receiver(() => false)
    // This worker's dispatcher polls once at start and then only after a minute: it completes the job and never sends.
    const first = await worker(file, hook.url, 60_000)
    const repository = sqliteRepository({ filename: file })
    const { record } = await repository.create(
      newJob({ shots: [{ assetId: 'a.bin' }, { assetId: 'b.bin' }] }),
    )
    const completed = await first.waitFor('completed')
    await first.kill()
    expect(hook.received).toEqual([])
    const done = await repository.get(record.id)
    expect(done?.status).toBe('completed')
    expect(completed.updatedAt).toBe(done?.updatedAt.getTime())
    expect(await repository.outbox.counts()).toEqual({ pending: 1, delivered: 0, dead: 0 })

    await worker(file, hook.url, 50)
    await until(() => hook.received.length > 0, 'the delivery')
    await sleep(300)
    expect(hook.received).toEqual([
      { id: webhookEventId('master_video.completed', done ?? record), verified: true },
    ])
    expect(await repository.outbox.counts()).toEqual({ pending: 0, delivered: 1, dead: 0 })
    await repository.close()
  })

  it('killed mid-send (the receiver had the request, no answer came back): the same event id again, once its claim lapses', async () => {
    const file = path.join(root, 'mv.sqlite')
    // The first request is left unanswered; later ones are answered.
    const hook = await receiver((n) => n === 1)
    const first = await worker(file, hook.url, 50)
    const repository = sqliteRepository({ filename: file })
    const { record } = await repository.create(newJob({ shots: [{ assetId: 'a.bin' }] }))
    const arrived = hook.next()
    await first.waitFor('completed')
    await arrived
    await first.kill()

    await worker(file, hook.url, 50)
    await until(() => hook.received.length >= 2, 'the delivery again')
    await sleep(300)
    const done = await repository.get(record.id)
    const id = webhookEventId('master_video.completed', done ?? record)
    expect(hook.received).toEqual([
      { id, verified: true },
      { id, verified: true },
    ])
    const [delivery] = await repository.outbox.list()
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 })
    await repository.close()
  })
})
