// An Express 5 host, run as its own process by mounting.test.ts: vitest runs
// tests with the `import` export condition, under which Express's CommonJS
// dependencies (is-promise) load their ESM build and break. Here Express
// loads as it does in a user's app.
import { getRequestListener } from '@hono/node-server'
import express from 'express'
import { masterVideoRoutes } from '../../src/index.js'
import { fixture, listen } from '../helpers.js'

const fx = await fixture()
const { record } = await fx.completedJob({ projectId: 'p1', payloadBytes: 50_000 })

const app = express()
app.get('/health', (_req, res) => {
  res.send('express ok')
})
const routes = masterVideoRoutes(fx.mv, { basePath: '/api/projects' })
// app.all keeps req.url whole (app.use would strip the mount path from it).
app.all('/api/projects/*rest', getRequestListener(routes.fetch))
const server = await listen(app)

process.stdout.write(
  `${JSON.stringify({ url: server.url, id: record.id, file: fx.mv.output.localPath?.(record.output?.key ?? '') })}\n`,
)
process.on('SIGTERM', async () => {
  await server.close()
  await fx.close()
  process.exit(0)
})
