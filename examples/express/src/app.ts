import type { IncomingMessage } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { MasterVideos } from '@mastervideo/core'
import { masterVideoRoutes } from '@mastervideo/http-hono'
import express from 'express'
import { Hono } from 'hono'

/** The host app's idea of a signed-in user. */
export interface User {
  name: string
  /** Projects this user may see and change. */
  projects: string[]
}

/** A request after the host's own authentication ran. */
type AuthedRequest = IncomingMessage & { user?: User }

/**
 * An existing Express app (its own auth, its own routes) that mounts the
 * mastervideo routes at `/api/projects`. The host's auth puts `req.user` on the
 * request; `authorize` reads it back through `c.env.incoming`, the Node request
 * that @hono/node-server hands to Hono. Video, download and thumbnail URLs in
 * records are signed, so a `<video src>` (which cannot send an Authorization
 * header) still plays.
 */
export function createApp(mv: MasterVideos, options: { users: Record<string, User>; signingSecret: string }) {
  const app = express()

  // The host's authentication: a bearer token names a user.
  app.use((req, _res, next) => {
    const token = req.headers.authorization?.replace(/^Bearer /i, '')
    ;(req as AuthedRequest).user = token ? options.users[token] : undefined
    next()
  })

  app.get('/me', (req, res) => {
    const user = (req as AuthedRequest).user
    if (user) res.json(user)
    else res.status(401).json({ error: 'Sign in first' })
  })

  const routes = masterVideoRoutes(mv, {
    signingSecret: options.signingSecret,
    authorize: (c, { projectId }) => {
      const user = (c.env as { incoming: AuthedRequest }).incoming.user
      return user?.projects.includes(projectId) ?? false
    },
  })
  const listener = getRequestListener(new Hono().route('/api/projects', routes).fetch)
  // Mounted before any body parser: the routes read the request body themselves.
  app.use('/api/projects', (req, res) => {
    req.url = req.originalUrl // Express strips the mount path; Hono routes on the full one.
    void listener(req, res)
  })
  return app
}
