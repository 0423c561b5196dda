// One server process of the HTTP benchmark, serving the video of one
// completed job kept in a SQLite file (made by http.bench.ts):
// - `deployment`: the routes mounted as docs/embedding.md shows a Hono host
//   do it (a session middleware on `/api/*`, `authorize` reading its user,
//   `serve()` of @hono/node-server), with the record cache (on by default)
//   and `nodeFastPath: true`;
// - `plain`: the same without the fast path and with `recordCache: false`;
// - `offload`: the same as `deployment` with `offload` set, for nginx in
//   front (examples/deploy/nginx.conf) to send the bytes;
// - `send`: what Express's res.sendFile uses, in a bare node:http server,
//   with no authorization and no lookup: the reference.
// In its own process so the load generator does not share its event loop.
//
// argv: <kind> <JSON { dir, key, database, authorization }>, where
// `authorization` is the one session's `Authorization` header. Prints the
// port once listening.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, localOutputStore, type Transcoder } from '@mastervideo/core'
import { Hono } from 'hono'
import send from 'send'
import { type MasterVideoRoutesOptions, masterVideoRoutes } from '../src/index.js'

type ServerKind = 'deployment' | 'plain' | 'offload' | 'send'

interface User {
  id: string
  projects: string[]
}

const [kind, json] = process.argv.slice(2) as [ServerKind, string]
const config = JSON.parse(json) as { dir: string; key: string; database: string; authorization: string }
// The host's own session store; one session, looked up per request as a real one would be.
const sessions = new Map<string, User>([[config.authorization, { id: 'bench', projects: ['p1'] }]])

function deployment(options: MasterVideoRoutesOptions) {
  const mv = createMasterVideos({
    repository: sqliteRepository({ filename: config.database }),
    transcoder: {} as Transcoder, // never runs: the job was completed by hand
    assets: (shot) => path.join(config.dir, shot.assetId),
    output: localOutputStore(config.dir),
  })
  const app = new Hono<{ Variables: { user: User | undefined } }>()
  app.use('/api/*', async (c, next) => {
    c.set('user', sessions.get(c.req.header('authorization') ?? ''))
    await next()
  })
  app.route(
    '/api/projects',
    masterVideoRoutes(mv, {
      authorize: (c, { projectId }) =>
        (c.get('user') as User | undefined)?.projects.includes(projectId) === true,
      ...options,
    }),
  )
  return app
}

const printPort = (info: AddressInfo) => process.stdout.write(`${info.port}\n`)

if (kind === 'send') {
  const file = path.join(config.dir, config.key)
  const server = http.createServer((req, res) => send(req, file).pipe(res))
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => printPort(server.address() as AddressInfo))
} else {
  const options: Record<Exclude<ServerKind, 'send'>, MasterVideoRoutesOptions> = {
    deployment: { nodeFastPath: true },
    plain: { recordCache: false },
    offload: { offload: { header: 'X-Accel-Redirect', prefix: '/_mastervideo/' } },
  }
  const server = serve({ fetch: deployment(options[kind]).fetch, port: 0, hostname: '127.0.0.1' }, printPort)
  if (server instanceof http.Server) server.keepAliveTimeout = 60_000
}
