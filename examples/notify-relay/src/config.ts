/** Telegram Bot API settings: the bot posts to one chat. */
export interface TelegramConfig {
  botToken: string
  chatId: string
  /** Default `https://api.telegram.org`; a local Bot API server or a test fake otherwise. */
  apiUrl: string
}

/** SMTP settings for nodemailer. */
export interface MailConfig {
  /** A nodemailer connection URL: `smtp://user:pass@host:587`, `smtps://...:465`. */
  smtpUrl: string
  from: string
  /** One address or several, comma-separated. */
  to: string
}

/** Everything the relay needs; {@link readConfig} builds it from the environment. */
export interface RelayConfig {
  host: string
  port: number
  /** The secret the mastervideo server signs with (`whsec_...`, or any string). */
  webhookSecret: string
  telegram: TelegramConfig | null
  mail: MailConfig | null
  /** Per-request time limit towards Telegram and the SMTP server, in ms. */
  forwardTimeoutMs: number
}

/**
 * Reads the relay's settings from environment variables (see README.md).
 * Throws with a message naming what is missing: a secret, and at least one
 * complete channel (Telegram or e-mail).
 *
 * @example
 * ```ts
 * const config = readConfig(process.env)
 * ```
 */
export function readConfig(env: Record<string, string | undefined>): RelayConfig {
  const missing = (names: string[]) => names.filter((name) => !env[name])
  const webhookSecret = env.WEBHOOK_SECRET ?? ''
  if (!webhookSecret)
    throw new Error('WEBHOOK_SECRET is required: the secret the mastervideo server signs with')

  const channel = <T>(names: string[], build: () => T): T | null => {
    const absent = missing(names)
    if (absent.length === names.length) return null
    if (absent.length > 0) throw new Error(`${absent.join(', ')} missing (set all of ${names.join(', ')})`)
    return build()
  }
  const telegram = channel(['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID'], () => ({
    botToken: env.TELEGRAM_BOT_TOKEN as string,
    chatId: env.TELEGRAM_CHAT_ID as string,
    apiUrl: (env.TELEGRAM_API_URL || 'https://api.telegram.org').replace(/\/+$/, ''),
  }))
  const mail = channel(['SMTP_URL', 'MAIL_FROM', 'MAIL_TO'], () => ({
    smtpUrl: env.SMTP_URL as string,
    from: env.MAIL_FROM as string,
    to: env.MAIL_TO as string,
  }))
  if (!telegram && !mail) {
    throw new Error(
      'Nothing to forward to: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or SMTP_URL, MAIL_FROM and MAIL_TO',
    )
  }

  const port = Number(env.PORT ?? 8787)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT is not a port: ${env.PORT}`)
  const forwardTimeoutMs = Number(env.FORWARD_TIMEOUT_MS ?? 8000)
  if (!(forwardTimeoutMs > 0))
    throw new Error(`FORWARD_TIMEOUT_MS is not a positive number: ${env.FORWARD_TIMEOUT_MS}`)
  return { host: env.HOST || '127.0.0.1', port, webhookSecret, telegram, mail, forwardTimeoutMs }
}
