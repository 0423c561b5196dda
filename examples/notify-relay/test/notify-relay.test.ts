// The relay between a real mastervideo service and a fake Telegram and an SMTP
// sink. Deliveries are signed by core's own webhookNotifier and signWebhook and
// verified by the `standardwebhooks` package: an independent check of our signer.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  directoryAssets,
  InputInvalidError,
  localOutputStore,
  type MasterVideos,
  memoryRepository,
  newWebhookSecret,
  signWebhook,
  type Transcoder,
  webhookNotifier,
} from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mailChannel, telegramChannel } from '../src/channels.js'
import { createRelay, listen } from '../src/relay-server.js'
import { type FakeTelegram, fakeTelegram, type SmtpSink, smtpSink } from './fakes.js'

const secret = newWebhookSecret()
let telegram: FakeTelegram
let smtp: SmtpSink
let relay: Server
let relayUrl: string
let mail: ReturnType<typeof mailChannel>
let dir: string
const cleanups: Array<() => Promise<unknown>> = []

async function startRelay(webhookSecret = secret): Promise<void> {
  mail = mailChannel({ smtpUrl: smtp.url, from: 'mastervideo@example.test', to: 'ops@example.test' }, 5000)
  relay = createRelay({
    webhookSecret,
    channels: [telegramChannel({ botToken: '123:ABC', chatId: '-10042', apiUrl: telegram.url }, 5000), mail],
    log: () => {},
  })
  relayUrl = await listen(relay, 0, '127.0.0.1')
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-notify-'))
  telegram = await fakeTelegram()
  smtp = await smtpSink()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await new Promise<void>((resolve) => {
    if (!relay?.listening) return resolve()
    relay.close(() => resolve())
    relay.closeAllConnections()
  })
  mail?.close()
  await telegram.close()
  await smtp.close()
  await rm(dir, { recursive: true, force: true })
})

/** A service on a memory repository with the test transcoder, its outcomes posted to the relay. */
async function service(transcoder: Transcoder, notifier = { retryBaseMs: 20 }) {
  const assets = path.join(dir, 'assets')
  await mkdir(assets, { recursive: true })
  for (const name of ['a', 'b']) await writeTestClip(path.join(assets, `${name}.bin`), { durationSec: 2 })
  const mv: MasterVideos = createMasterVideos({
    repository: memoryRepository(),
    transcoder,
    assets: directoryAssets(assets),
    output: localOutputStore(path.join(dir, 'out')),
  })
  const webhooks = webhookNotifier({ url: relayUrl, secret, ...notifier })
  webhooks.attach(mv)
  const worker = mv.worker().start()
  cleanups.push(async () => {
    await worker.stop()
    await mv.close()
  })
  return { mv, webhooks }
}

/** POSTs `body` to the relay signed with `key` (default: the relay's secret). */
function post(body: string, id: string, key = secret) {
  const headers = signWebhook(key, id, Math.floor(Date.now() / 1000), body)
  return fetch(relayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

const completedBody = (id = 'master_1_abcdefgh') =>
  JSON.stringify({
    type: 'master_video.completed',
    timestamp: new Date().toISOString(),
    data: {
      id,
      projectId: 'p1',
      name: 'demo',
      output: { durationSec: 4, size: 2_500_000 },
      someNewField: true,
    },
  })

describe('examples/notify-relay', () => {
  it('forwards a completed job, signed by core and verified by standardwebhooks, to Telegram and e-mail', async () => {
    await startRelay()
    const { mv, webhooks } = await service(testTranscoder())
    const job = await mv.create({ projectId: 'p1', name: 'Episode 3', shots: ['a.bin', 'b.bin'] })
    await mv.waitFor(job.id)
    await webhooks.drain()

    expect(telegram.messages).toHaveLength(1)
    expect(telegram.messages[0]).toMatchObject({ token: '123:ABC', chatId: '-10042' })
    expect(telegram.messages[0]?.text).toContain('Master video "Episode 3" completed (project p1)')
    expect(telegram.messages[0]?.text).toContain(`job ${job.id}`)
    expect(telegram.messages[0]?.text).toMatch(/4\.0 s/)

    expect(smtp.mails).toHaveLength(1)
    expect(smtp.mails[0]).toMatchObject({ from: 'mastervideo@example.test', to: ['ops@example.test'] })
    expect(smtp.mails[0]?.subject).toBe('Master video "Episode 3" completed')
    expect(smtp.mails[0]?.body).toBe(telegram.messages[0]?.text)
  })

  it('forwards a failed job with its public error code and message', async () => {
    await startRelay()
    const { mv, webhooks } = await service(
      testTranscoder({ failures: [new InputInvalidError('"b.bin" is not a video we accept')] }),
    )
    const job = await mv.create({ projectId: 'p1', name: 'broken', shots: ['a.bin', 'b.bin'] })
    await expect(mv.waitFor(job.id)).rejects.toMatchObject({ code: 'INPUT_INVALID' })
    await webhooks.drain()

    expect(telegram.messages.map((m) => m.text)).toEqual([
      [
        'Master video "broken" failed (project p1)',
        'INPUT_INVALID: "b.bin" is not a video we accept',
        'after attempt 1 of 3',
        `job ${job.id}`,
      ].join('\n'),
    ])
    expect(smtp.mails).toHaveLength(1)
    expect(smtp.mails[0]?.subject).toBe('Master video "broken" failed')
    expect(smtp.mails[0]?.body).toBe(telegram.messages[0]?.text)
  })

  it('refuses a bad signature with 401 and forwards nothing', async () => {
    await startRelay()
    const body = completedBody()
    expect((await post(body, 'msg_wrong_key', newWebhookSecret())).status).toBe(401)

    // Signed right, then tampered with.
    const headers = signWebhook(secret, 'msg_tampered', Math.floor(Date.now() / 1000), body)
    const tampered = body.replace('"demo"', '"evil"')
    const response = await fetch(relayUrl, { method: 'POST', headers: { ...headers }, body: tampered })
    expect(response.status).toBe(401)

    // No signature at all, and a replay from an hour ago.
    expect((await fetch(relayUrl, { method: 'POST', body })).status).toBe(401)
    const old = signWebhook(secret, 'msg_old', Math.floor(Date.now() / 1000) - 3600, body)
    expect((await fetch(relayUrl, { method: 'POST', headers: { ...old }, body })).status).toBe(401)

    expect(telegram.calls).toBe(0)
    expect(smtp.mails).toHaveLength(0)
  })

  it('forwards a repeated webhook-id once, also when the copies arrive together', async () => {
    await startRelay()
    const first = await post(completedBody('master_1_aaaaaaaa'), 'msg_one')
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ forwarded: ['telegram', 'mail'], duplicate: false })
    const again = await post(completedBody('master_1_aaaaaaaa'), 'msg_one')
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ forwarded: [], duplicate: true })

    const together = await Promise.all(
      [1, 2, 3].map(() => post(completedBody('master_1_bbbbbbbb'), 'msg_two')),
    )
    expect(together.map((r) => r.status)).toEqual([200, 200, 200])

    expect(telegram.messages).toHaveLength(2)
    expect(smtp.mails).toHaveLength(2)
  })

  it('acknowledges event types it does not forward', async () => {
    await startRelay()
    const body = JSON.stringify({
      type: 'master_video.canceled',
      timestamp: '',
      data: { id: 'master_1_cccccccc' },
    })
    const response = await post(body, 'msg_canceled')
    expect(response.status).toBe(200)
    expect(telegram.calls).toBe(0)
    expect(smtp.mails).toHaveLength(0)
  })

  it('answers 502 while Telegram is down, so the sender retries; the retry reaches only what it missed', async () => {
    await startRelay()
    telegram.down = true
    const refused = await post(completedBody('master_1_dddddddd'), 'msg_outage')
    expect(refused.status).toBe(502)
    expect(await refused.json()).toMatchObject({ failed: ['telegram'], sent: ['mail'] })
    expect(smtp.mails).toHaveLength(1)

    // Core's notifier retries with backoff; Telegram comes back after the first try.
    const { mv, webhooks } = await service(testTranscoder())
    const seenByTelegram = telegram.calls
    const job = await mv.create({ projectId: 'p1', name: 'after the outage', shots: ['a.bin'] })
    await mv.waitFor(job.id)
    await until(() => telegram.calls > seenByTelegram)
    telegram.down = false
    await webhooks.drain()

    expect(telegram.messages.map((m) => m.text.split('\n')[0])).toEqual([
      'Master video "after the outage" completed (project p1)',
    ])
    // The mail for this job went out on the first try and was not sent again.
    expect(smtp.mails.filter((m) => m.body.includes(job.id))).toHaveLength(1)
  })

  it('verifies a secret that is not whsec_ (mastervideo signs with its UTF-8 bytes)', async () => {
    await startRelay('plain-shared-secret')
    expect((await post(completedBody(), 'msg_plain', 'plain-shared-secret')).status).toBe(200)
    expect((await post(completedBody(), 'msg_plain_bad', 'another-secret')).status).toBe(401)
    expect(telegram.messages).toHaveLength(1)
  })

  it('runs as its README says: settings from the environment, /healthz for a monitor', {
    timeout: 60_000,
  }, async () => {
    const child = execa(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: {
        PORT: '0',
        WEBHOOK_SECRET: secret,
        TELEGRAM_BOT_TOKEN: '123:ABC',
        TELEGRAM_CHAT_ID: '7',
        TELEGRAM_API_URL: telegram.url,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'mastervideo@example.test',
        MAIL_TO: 'ops@example.test',
      },
      reject: false,
    })
    try {
      relayUrl = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          const match = /listening on (http:\/\/\S+\/)/.exec(chunk.toString())
          if (match) resolve(match[1] as string)
        })
        void child.then((r) => reject(new Error(`relay exited: ${r.stderr}`)))
      })
      expect((await fetch(new URL('healthz', relayUrl))).status).toBe(200)
      expect((await post(completedBody(), 'msg_from_main')).status).toBe(200)
      expect(telegram.messages).toHaveLength(1)
      expect(smtp.mails).toHaveLength(1)
    } finally {
      child.kill('SIGTERM')
      await child
    }

    const misconfigured = await execa(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { WEBHOOK_SECRET: secret, TELEGRAM_BOT_TOKEN: '123:ABC' },
      reject: false,
    })
    expect(misconfigured.exitCode).toBe(2)
    expect(misconfigured.stderr).toContain('TELEGRAM_CHAT_ID missing')
  })
})

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
