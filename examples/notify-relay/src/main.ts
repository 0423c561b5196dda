// A webhook receiver that tells people when a master video is done or failed:
// Telegram (Bot API sendMessage) and e-mail (SMTP via nodemailer). Settings
// come from the environment; README.md lists them.
//
//   WEBHOOK_SECRET=whsec_... TELEGRAM_BOT_TOKEN=... TELEGRAM_CHAT_ID=... \
//     npm start -w @mastervideo/example-notify-relay
import { type Channel, mailChannel, telegramChannel } from './channels.js'
import { readConfig } from './config.js'
import { createRelay, listen } from './relay-server.js'

let config: ReturnType<typeof readConfig>
try {
  config = readConfig(process.env)
} catch (error) {
  console.error((error as Error).message)
  process.exit(2)
}

const mail = config.mail ? mailChannel(config.mail, config.forwardTimeoutMs) : null
const channels: Channel[] = [
  ...(config.telegram ? [telegramChannel(config.telegram, config.forwardTimeoutMs)] : []),
  ...(mail ? [mail] : []),
]
const server = createRelay({ webhookSecret: config.webhookSecret, channels })
const url = await listen(server, config.port, config.host)
console.log(`notify-relay listening on ${url} (forwarding to ${channels.map((c) => c.name).join(', ')})`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => {
      mail?.close()
      process.exit(0)
    })
    // Keep-alive connections would hold close() open.
    server.closeIdleConnections()
  })
}
