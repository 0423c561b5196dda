import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { OUTPUT_CONTENT_TYPES, type ProbeResult, type Transcoder } from '@mastervideo/core'
import { Hono } from 'hono'
import { isSafeName, unsafeNameReason } from './safe-name.js'

/** A file or folder the server will not use, and why, so the dashboard can say so. */
export interface RefusedEntry {
  name: string
  /** `unsafe-name`: not safe as a file name; `unreadable`: ffprobe finds no video in it. */
  code: 'unsafe-name' | 'unreadable'
  /** The reason in English, for logs and API clients; the dashboard words `code` in its language. */
  reason: string
}

/** A project of the standalone server: one folder of clips under the assets root. */
export interface ProjectSummary {
  id: string
  name: string
  /** The clips the picker shows: safe names that probe as video. */
  clipCount: number
  /** Video files of the folder that are not offered, with the reason. */
  refused: RefusedEntry[]
  /** Set when the folder itself cannot be a project (its name is unsafe); it is then never served. */
  unusable?: string
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

/** What one project folder holds: the clips offered and the files refused. */
interface ProjectScan {
  clips: Array<Omit<ClipSummary, 'thumbnailUrl'>>
  refused: RefusedEntry[]
}

const VIDEO = /\.(mp4|mov|m4v|mkv|webm)$/i
/** Probes run at once while a folder is scanned: enough to hide latency, few enough for a small machine. */
const PROBES_AT_ONCE = 4

export { isSafeName, unsafeNameReason } from './safe-name.js'

/**
 * The standalone server's own API for the dashboard: projects are folders
 * under `assetsRoot`, clips are the video files in them. Probes and poster
 * frames are cached by file modification time. A folder or file whose name is
 * not safe as a file name, or a file ffprobe cannot read, is listed as refused
 * with the reason, never silently dropped; the clip count of a project is the
 * number of clips the picker shows. (A host app has its own notion of
 * projects and assets; this is what the demo needs, not part of the SDK.)
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

  async function scan(projectId: string): Promise<ProjectScan> {
    const entries = await readdir(path.join(assetsRoot, projectId), { withFileTypes: true }).catch(() => [])
    const names = entries
      .filter((entry) => entry.isFile() && VIDEO.test(entry.name) && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b))
    const results: Array<ProjectScan['clips'][number] | RefusedEntry> = new Array(names.length)
    let next = 0
    const work = async () => {
      for (let i = next++; i < names.length; i = next++) {
        const name = names[i] as string
        const unsafe = unsafeNameReason(name)
        if (unsafe) {
          results[i] = {
            name,
            code: 'unsafe-name',
            reason: `The file name ${unsafe}; rename the file to use it`,
          }
          continue
        }
        try {
          const probe = await probeCached(path.join(assetsRoot, projectId, name))
          const video = probe.streams.find((s) => s.type === 'video')
          if (!video) throw new Error('no video stream')
          results[i] = {
            id: name,
            name,
            durationSec: probe.durationSec,
            width: video.width ?? 0,
            height: video.height ?? 0,
            hasAudio: probe.streams.some((s) => s.type === 'audio'),
          }
        } catch {
          results[i] = { name, code: 'unreadable', reason: 'ffprobe cannot read it as a video' }
        }
      }
    }
    await Promise.all(Array.from({ length: PROBES_AT_ONCE }, work))
    return {
      clips: results.filter((r): r is ProjectScan['clips'][number] => 'id' in r),
      refused: results.filter((r): r is RefusedEntry => !('id' in r)),
    }
  }

  const app = new Hono()

  app.get('/', async (c) => {
    await mkdir(assetsRoot, { recursive: true })
    const entries = await readdir(assetsRoot, { withFileTypes: true })
    const projects: ProjectSummary[] = []
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue
      const unsafe = unsafeNameReason(entry.name)
      if (unsafe) {
        projects.push({
          id: entry.name,
          name: entry.name,
          clipCount: 0,
          refused: [],
          unusable: `The folder name ${unsafe}; rename the folder to use it`,
        })
        continue
      }
      const meta = await readFile(path.join(assetsRoot, entry.name, 'project.json'), 'utf8')
        .then((text) => JSON.parse(text) as { name?: unknown })
        .catch(() => ({}) as { name?: unknown })
      const { clips, refused } = await scan(entry.name)
      projects.push({
        id: entry.name,
        name: typeof meta.name === 'string' && meta.name.trim() ? meta.name : entry.name,
        clipCount: clips.length,
        refused,
      })
    }
    return c.json(projects)
  })

  app.get('/:projectId/assets', async (c) => {
    const projectId = c.req.param('projectId')
    if (!isSafeName(projectId)) return c.json({ error: 'Project not found', code: 'NOT_FOUND' }, 404)
    const { clips } = await scan(projectId)
    const base = c.req.path
    return c.json(
      clips.map(
        (clip): ClipSummary => ({
          ...clip,
          thumbnailUrl: `${base}/${encodeURIComponent(clip.id)}/thumbnail`,
        }),
      ),
    )
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
