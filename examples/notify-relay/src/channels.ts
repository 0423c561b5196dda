import nodemailer from 'nodemailer'
import type { MailConfig, TelegramConfig } from './config.js'
import { type Notice, noticeSubject, noticeText } from './notice.js'

/** One place a notice goes. `send` rejects when the notice did not get there. */
export interface Channel {
  name: string
  send(notice: Notice): Promise<void>
}

/**
 * Posts the notice with the Bot API's `sendMessage` as plain text (no
 * `parse_mode`, so job names need no escaping). Any answer but `{"ok":true}`
 * is a failure, including 429 (the sender's retry with backoff waits it out).
 */
export function telegramChannel(config: TelegramConfig, timeoutMs: number): Channel {
  const url = `${config.apiUrl}/bot${config.botToken}/sendMessage`
  return {
    name: 'telegram',
    async send(notice) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: config.chatId, text: noticeText(notice) }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const answer = (await response.json().catch(() => null)) as {
        ok?: boolean
        description?: string
      } | null
      // The token is part of the URL: never put the URL in an error.
      if (!response.ok || answer?.ok !== true) {
        throw new Error(`Telegram answered ${response.status}: ${answer?.description ?? 'no description'}`)
      }
    },
  }
}

/** Sends the notice as a plain-text e-mail through nodemailer's SMTP transport. */
export function mailChannel(config: MailConfig, timeoutMs: number): Channel & { close(): void } {
  // The URL carries host, port, TLS and credentials; the time limits keep a
  // hung SMTP server from outlasting the sender's request timeout.
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  return {
    name: 'mail',
    async send(notice) {
      await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: noticeSubject(notice),
        text: noticeText(notice),
      })
    },
    close: () => transport.close(),
  }
}
