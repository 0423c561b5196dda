import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONCAT_STRATEGIES, type Logger, type MasterVideos, type Transcoder } from '@mastervideo/core'
import { masterVideoRoutes } from '@mastervideo/http-hono'
import { type Context, Hono } from 'hono'
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-metrics.js'
import { healthCheck } from './health-check.js'
import { projectsApi } from './projects-api.js'
import { uploadsApp } from './uploads-api.js'

/** Finds the dashboard folder from `src/server` (tests, source) or `dist` (published). */
function dashboardDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(dir, 'dashboard', 'index.html'))) return path.join(dir, 'dashboard')
    dir = path.dirname(dir)
  }
  throw new Error('The dashboard files are not next to the package (is the install complete?)')
}

/** The page, and any script or style sheet of the dashboard folder: a plain name, so no path can leave it. */
const STATIC_ROUTES: Record<string, (c: Context) => string> = {
  '/': () => 'index.html',
  '/index.html': () => 'index.html',
  '/:file{[a-z0-9-]+\\.(?:js|css)}': (c) => c.req.param('file') as string,
}
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/** What {@link standaloneApp} serves. */
export interface StandaloneAppOptions {
  mv: MasterVideos
  transcoder: Transcoder
  assetsRoot: string
  cacheDir: string
  logger: Logger
  /** Extra facts for `GET /healthz` (the worker's state), beside its database and output checks. */
  health?: () => Record<string, unknown>
  /** `/video` and `/download`: through Node (`proxy`, default) or a 302 to the store's presigned URL (`redirect`). */
  delivery?: 'proxy' | 'redirect'
  /** Serves `GET /metrics` with this Prometheus text; absent: no `/metrics`. */
  metrics?: () => Promise<string>
}

/** What the dashboard asks the server before it draws its form (`GET /api/dashboard`). */
export interface DashboardConfig {
  /** The join strategies the create form offers, in order. */
  strategies: readonly string[]
}

/**
 * The standalone server's Hono app: the dashboard at `/` and its settings at
 * `/api/dashboard`, the projects API and the master-video routes under
 * `/api/projects`, `/healthz`, and an access log line per request (with its
 * Range header).
 *
 * @example
 * ```ts
 * const app = standaloneApp({ mv, transcoder: mv.transcoder, assetsRoot, cacheDir, logger })
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 */
export function standaloneApp(options: StandaloneAppOptions): Hono {
  const { mv, logger } = options
  const app = new Hono()
  const dir = dashboardDir()

  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        range: c.req.header('range'),
        ms: Math.round(performance.now() - started),
      },
      'http',
    )
  })

  // 503 with the failed check's reason: what a load balancer or systemd watchdog acts on.
  const checkHealth = healthCheck(mv)
  app.get('/healthz', async (c) => {
    const report = await checkHealth()
    return c.json({ ...options.health?.(), ...report }, report.ok ? 200 : 503, {
      'cache-control': 'no-store',
    })
  })
  const { metrics } = options
  if (metrics) {
    app.get('/metrics', async (c) =>
      c.body(await metrics(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }),
    )
  }
  // The dashboard is a plain script: the vocabulary it offers comes from core through here.
  const dashboard: DashboardConfig = { strategies: CONCAT_STRATEGIES }
  app.get('/api/dashboard', (c) => c.json(dashboard, 200, { 'cache-control': 'no-cache' }))
  for (const [route, fileOf] of Object.entries(STATIC_ROUTES)) {
    app.get(route, async (c, next) => {
      const file = fileOf(c)
      const body = await readFile(path.join(dir, file), 'utf8').catch(() => null)
      if (body === null) return next()
      return c.body(body, 200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      })
    })
  }
  // hls.js: the dashboard player (player.js) loads it to play a job's HLS ladder with a quality menu.
  app.get('/vendor/hls.min.js', async (c) =>
    c.body(await readFile(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8'), 200, {
      'content-type': TYPES['.js'] as string,
      'cache-control': 'no-cache',
    }),
  )
  app.route('/', uploadsApp(options))
  app.route('/api/projects', projectsApi(options))
  app.route('/api/projects', masterVideoRoutes(mv, { logger, delivery: options.delivery ?? 'proxy' }))
  return app
}
