import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { OUTPUT_CONTENT_TYPES, type ProbeResult, type Transcoder } from '@mastervideo/core'
import { Hono } from 'hono'

/** A project of the standalone server: one folder of clips under the assets root. */
export interface ProjectSummary {
  id: string
  name: string
  clipCount: number
}

/** A clip as the dashboard shows it. */
export interface ClipSummary {
  /** The asset id a shot uses: the file name inside the project folder. */
  id: string
  name: string
  durationSec: number
  width: number
  height: number
  hasAudio: boolean
  thumbnailUrl: string
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$/
const VIDEO = /\.(mp4|mov|m4v|mkv|webm)$/i

/** Project ids and clip names are folder and file names: only plain ones are served. */
export function isSafeName(name: string): boolean {
  return SAFE.test(name) && !name.includes('..')
}

/**
 * The standalone server's own API for the dashboard: projects are folders
 * under `assetsRoot`, clips are the video files in them. Probes and poster
 * frames are cached by file modification time. (A host app has its own notion
 * of projects and assets; this is what the demo needs, not part of the SDK.)
 */
export function projectsApi(options: { assetsRoot: string; cacheDir: string; transcoder: Transcoder }) {
  const { assetsRoot, cacheDir, transcoder } = options
  const probes = new Map<string, { mtimeMs: number; probe: Promise<ProbeResult> }>()

  async function probeCached(file: string): Promise<ProbeResult> {
    const { mtimeMs } = await stat(file)
    const hit = probes.get(file)
    if (hit && hit.mtimeMs === mtimeMs) return hit.probe
    const probe = transcoder.probe(file)
    probes.set(file, { mtimeMs, probe })
    probe.catch(() => probes.delete(file))
    return probe
  }

  async function clipsOf(projectId: string): Promise<string[]> {
    const names = await readdir(path.join(assetsRoot, projectId)).catch(() => null)
    if (!names) return []
    return names.filter((name) => VIDEO.test(name) && isSafeName(name)).sort()
  }

  const app = new Hono()

  app.get('/', async (c) => {
    await mkdir(assetsRoot, { recursive: true })
    const entries = await readdir(assetsRoot, { withFileTypes: true })
    const projects: ProjectSummary[] = []
    for (const entry of entries) {
      if (!entry.isDirectory() || !isSafeName(entry.name)) continue
      const meta = await readFile(path.join(assetsRoot, entry.name, 'project.json'), 'utf8')
        .then((text) => JSON.parse(text) as { name?: string })
        .catch(() => ({}) as { name?: string })
      projects.push({
        id: entry.name,
        name: meta.name ?? entry.name,
        clipCount: (await clipsOf(entry.name)).length,
      })
    }
    return c.json(projects)
  })

  app.get('/:projectId/assets', async (c) => {
    const projectId = c.req.param('projectId')
    if (!isSafeName(projectId)) return c.json({ error: 'Project not found', code: 'NOT_FOUND' }, 404)
    const clips: ClipSummary[] = []
    for (const name of await clipsOf(projectId)) {
      try {
        const probe = await probeCached(path.join(assetsRoot, projectId, name))
        const video = probe.streams.find((s) => s.type === 'video')
        clips.push({
          id: name,
          name,
          durationSec: probe.durationSec,
          width: video?.width ?? 0,
          height: video?.height ?? 0,
          hasAudio: probe.streams.some((s) => s.type === 'audio'),
          thumbnailUrl: `${c.req.path}/${encodeURIComponent(name)}/thumbnail`,
        })
      } catch {
        // A clip ffprobe cannot read is left out of the picker rather than breaking it.
      }
    }
    return c.json(clips)
  })

  app.get('/:projectId/assets/:name/thumbnail', async (c) => {
    const { projectId, name } = c.req.param()
    if (!isSafeName(projectId) || !isSafeName(name) || !VIDEO.test(name)) {
      return c.json({ error: 'Clip not found', code: 'NOT_FOUND' }, 404)
    }
    const source = path.join(assetsRoot, projectId, name)
    const info = await stat(source).catch(() => null)
    if (!info?.isFile()) return c.json({ error: 'Clip not found', code: 'NOT_FOUND' }, 404)
    const target = path.join(
      cacheDir,
      'clip-thumbnails',
      projectId,
      `${name}.${Math.trunc(info.mtimeMs)}.jpg`,
    )
    if (!(await stat(target).catch(() => null))) {
      await mkdir(path.dirname(target), { recursive: true })
      await transcoder.thumbnail(source, target, { atSec: 0.5, width: 320 })
    }
    c.header('cache-control', 'public, max-age=3600')
    return c.body(new Uint8Array(await readFile(target)), 200, {
      'content-type': OUTPUT_CONTENT_TYPES.thumbnail,
    })
  })

  return app
}
