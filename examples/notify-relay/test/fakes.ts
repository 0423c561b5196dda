// Local stand-ins for the two places the relay forwards to: a tiny HTTP server
// that answers like the Telegram Bot API's sendMessage, and an SMTP sink
// (smtp-server from npm) that keeps every mail it is given.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** One sendMessage call the fake accepted. */
export interface TelegramMessage {
  token: string
  chatId: string
  text: string
}

export interface FakeTelegram {
  url: string
  /** Messages answered `{"ok":true}`. */
  messages: TelegramMessage[]
  /** Every call, including refused ones. */
  calls: number
  /** When set, answers 500 `{"ok":false}` as Telegram does on an outage. */
  down: boolean
  close(): Promise<void>
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

export async function fakeTelegram(): Promise<FakeTelegram> {
  const fake: FakeTelegram = {
    url: '',
    messages: [],
    calls: 0,
    down: false,
    close: async () => closeServer(server),
  }
  const server = createServer(async (request, response) => {
    fake.calls++
    let raw = ''
    for await (const chunk of request) raw += chunk
    const match = /^\/bot([^/]+)\/sendMessage$/.exec(request.url ?? '')
    response.setHeader('content-type', 'application/json')
    if (!match || request.method !== 'POST') {
      response.writeHead(404).end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }))
      return
    }
    if (fake.down) {
      response
        .writeHead(500)
        .end(JSON.stringify({ ok: false, error_code: 500, description: 'Internal Server Error' }))
      return
    }
    const body = JSON.parse(raw) as { chat_id: string; text: string }
    fake.messages.push({ token: match[1] as string, chatId: String(body.chat_id), text: body.text })
    response.end(JSON.stringify({ ok: true, result: { message_id: fake.messages.length, text: body.text } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return fake
}

/** One mail the sink received: envelope and the raw RFC 5322 message. */
export interface SunkMail {
  from: string
  to: string[]
  raw: string
  /** The Subject header, encoded words (RFC 2047) decoded. */
  subject: string
  /** The plain-text body, quoted-printable decoded when so encoded. */
  body: string
}

export interface SmtpSink {
  url: string
  mails: SunkMail[]
  close(): Promise<void>
}

const hexBytes = (text: string) =>
  Buffer.from(
    text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')

/** Splits a single-part text message (what the relay sends) into its subject and decoded body. */
function readMail(raw: string): { subject: string; body: string } {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? ''
  const subject = header('Subject').replace(
    /=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi,
    (_, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : hexBytes(text.replace(/_/g, ' ')),
  )
  let body = raw.slice(split + 4).replace(/\r\n/g, '\n')
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) body = hexBytes(body.replace(/=\n/g, ''))
  // SMTP ends the data with CRLF; the text the relay sent does not.
  return { subject: subject.trim(), body: body.replace(/\n$/, '') }
}

export async function smtpSink(): Promise<SmtpSink> {
  const mails: SunkMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        raw += chunk
      })
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          ...readMail(raw),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
