import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Logger, Transcoder } from '@mastervideo/core'
import { FileStore } from '@tus/file-store'
import { Server as TusServer } from '@tus/server'
import { Hono } from 'hono'
import { unsafeNameReason } from './safe-name.js'
import { acceptUpload, UPLOAD_EXTENSIONS, UploadRefused, uploadNameReason } from './uploads-accept.js'
import { dashboardFile, safeProjectDir, uploadLimitBytes, uploadsEndpoint } from './uploads-config.js'

/** What {@link uploadsApp} needs from the standalone server. */
export interface UploadsOptions {
  /** Projects are folders here; accepted clips land in `<assetsRoot>/<projectId>/`. */
  assetsRoot: string
  /** Unfinished uploads are staged in `<cacheDir>/uploads` (same disk as the assets, so the move is a rename). */
  cacheDir: string
  /** Probes each upload on arrival. */
  transcoder: Transcoder
  logger: Logger
  /** Largest upload accepted. Default `MASTERVIDEO_UPLOAD_MAX_BYTES`, else 2 GiB. */
  maxBytes?: number
}

/** What the page asks before it offers uploads (`GET /api/uploads`). */
export interface UploadSettings {
  /** The tus endpoint. */
  endpoint: string
  maxBytes: number
  extensions: readonly string[]
}

/** An unfinished upload is dropped after a day without progress. */
const STAGING_EXPIRY_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const TUS_METHODS = ['POST', 'PATCH', 'DELETE', 'OPTIONS']
const require = createRequire(import.meta.url)

/** A refusal tus sends back: the status and the body tus-js-client shows as the reason. */
const refuse = (status_code: number, body: string) => ({ status_code, body })

/**
 * Uploads for the standalone server, by the tus resumable-upload protocol:
 * `@tus/server` with `@tus/file-store` at `/api/uploads` (what tus-js-client
 * and Uppy speak), `POST /api/projects` to create a project folder (or choose
 * one that exists), `GET /api/uploads` for the limits, and the page's
 * uploader script (`/upload.js`, `/upload.css`, `/vendor/tus.min.js`).
 *
 * An upload names its project and file in tus metadata (`projectId`,
 * `filename`); both are checked when it is created. When its last byte
 * arrives it is probed with the server's transcoder: a non-video, an HLS
 * playlist named `.mp4`, or a truncated file is refused (422, with the
 * reason) and removed; a clip is moved into `<assetsRoot>/<projectId>/` under
 * its name, with `(2)` added when the name is taken, and the answer's
 * `Mastervideo-Asset` header carries the asset id. A partial upload resumes
 * where the server's copy ends (tus `HEAD` then `PATCH`).
 *
 * @example
 * ```ts
 * app.route('/', uploadsApp({ assetsRoot, cacheDir, transcoder, logger }))
 * ```
 */
export function uploadsApp(options: UploadsOptions): Hono {
  const { assetsRoot, transcoder, logger } = options
  const maxBytes = options.maxBytes ?? uploadLimitBytes()
  const staging = path.join(options.cacheDir, 'uploads')
  const store = new FileStore({ directory: staging, expirationPeriodInMilliseconds: STAGING_EXPIRY_MS })

  const tus = new TusServer({
    path: uploadsEndpoint,
    datastore: store,
    maxSize: maxBytes,
    relativeLocation: true,
    async onUploadCreate(_req, upload) {
      const projectId = upload.metadata?.projectId ?? ''
      const filename = upload.metadata?.filename ?? ''
      if (!filename) throw refuse(400, 'The upload names no file (tus metadata "filename")')
      const nameProblem = uploadNameReason(filename)
      if (nameProblem) throw refuse(400, `${nameProblem}; rename the file to upload it`)
      if (!(await safeProjectDir(assetsRoot, projectId))) {
        throw refuse(400, `Project ${JSON.stringify(projectId)} does not exist; create or choose one first`)
      }
      if (upload.sizeIsDeferred) throw refuse(400, 'The upload must state its size (Upload-Length)')
      return {}
    },
    async onUploadFinish(_req, upload) {
      const filename = upload.metadata?.filename ?? ''
      const projectId = upload.metadata?.projectId ?? ''
      const staged = path.join(staging, upload.id)
      const projectDir = await safeProjectDir(assetsRoot, projectId)
      try {
        if (!projectDir) throw new UploadRefused(`Project ${JSON.stringify(projectId)} no longer exists`)
        const { assetId, probe } = await acceptUpload({ staged, filename, projectDir, transcoder })
        logger.info(
          { projectId, assetId, bytes: upload.size, durationSec: probe.durationSec },
          'upload accepted',
        )
        return { headers: { 'Mastervideo-Asset': encodeURIComponent(assetId) } }
      } catch (error) {
        const message =
          error instanceof UploadRefused ? error.message : 'The server could not store the upload'
        logger.warn({ projectId, filename, bytes: upload.size, err: error }, 'upload refused')
        throw refuse(error instanceof UploadRefused ? 422 : 500, message)
      } finally {
        // The file is in the project or removed; its tus record must go too, or a HEAD would offer it again.
        await rm(staged, { force: true })
        await store.configstore.delete(upload.id).catch(() => undefined)
      }
    },
    onResponseError(_req, error) {
      if ('status_code' in error && error.status_code === 413) {
        return refuse(413, `The file is larger than the upload limit (${formatBytes(maxBytes)})`)
      }
      return undefined
    },
  })
  const sweep = setInterval(() => void tus.cleanUpExpiredUploads().catch(() => undefined), HOUR_MS)
  sweep.unref()

  const app = new Hono()
  const settings: UploadSettings = { endpoint: uploadsEndpoint, maxBytes, extensions: UPLOAD_EXTENSIONS }
  app.get(uploadsEndpoint, (c) => c.json(settings, 200, { 'cache-control': 'no-cache' }))
  const toTus = (c: { req: { raw: Request } }) => tus.handleWeb(c.req.raw)
  app.on(TUS_METHODS, uploadsEndpoint, toTus)
  app.on(TUS_METHODS, `${uploadsEndpoint}/:id`, toTus)
  // Hono routes HEAD through GET handlers. Only HEAD goes on to tus: its GET would serve a staged upload back.
  app.get(`${uploadsEndpoint}/:id`, (c) => (c.req.method === 'HEAD' ? toTus(c) : c.notFound()))

  app.post('/api/projects', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { name?: unknown } | null
    const name = typeof body?.name === 'string' ? body.name.trim() : ''
    const problem = unsafeNameReason(name)
    if (problem) {
      return c.json({ error: `The project name ${problem}`, code: 'VALIDATION' }, 400)
    }
    const dir = path.join(assetsRoot, name)
    const existed = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    )
    await mkdir(dir, { recursive: true })
    return c.json({ id: name, name, created: !existed }, existed ? 200 : 201)
  })

  const files: Record<string, () => string> = {
    '/upload.js': () => dashboardFile('upload.js'),
    '/upload.css': () => dashboardFile('upload.css'),
    '/vendor/tus.min.js': () => require.resolve('tus-js-client/dist/tus.min.js'),
  }
  for (const [route, file] of Object.entries(files)) {
    app.get(route, async (c) => {
      const name = file()
      return c.body(await readFile(name, 'utf8'), 200, {
        'content-type': name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
        'cache-control': 'no-cache',
      })
    })
  }
  return app
}

/** `2 GiB`, `500 MiB`: how the page and the refusals state the limit. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}
