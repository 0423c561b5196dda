// Scale-out with no shared disk: two worker processes, each with its own
// empty directory, on one PostgreSQL queue, with clips and outputs in S3;
// the HTTP routes in a third process. Jobs go in over HTTP, both workers
// take some, and the finished videos come back through `proxy` (a range) and
// `redirect` (a 302 to S3), byte for byte, and play in Chromium.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../scripts/test-support/launch-chromium.js'
import { startTestServer, type TestServer } from '../../adapter-postgres/test/pg-server.js'
import { lavfiClip } from './fixtures/lavfi-clip.js'
import type { MachineConfig } from './fixtures/machine.js'
import { type S3Fixture, startS3 } from './s3-fixture.js'

const packageDir = path.resolve(import.meta.dirname, '..')
const machineScript = path.join(import.meta.dirname, 'fixtures', 'machine.ts')
const JOBS = 4

interface Machine {
  child: ChildProcess
  dir: string
  port?: number
  completed: string[]
}

let s3: S3Fixture
let pg: TestServer
let prefix: string
let workers: Machine[] = []
let web: Machine
let base: string
const jobIds: string[] = []
let browser: Browser

async function startMachine(role: 'worker' | 'http', config: Omit<MachineConfig, 'dir'>): Promise<Machine> {
  const dir = await mkdtemp(path.join(tmpdir(), `mv-machine-${role}-`))
  const child = fork(machineScript, [role, JSON.stringify({ ...config, dir })], {
    cwd: packageDir,
    execArgv: ['--conditions=@mastervideo/source', '--import', 'tsx'],
    // Each machine's own temp dir: nothing it writes can land where another looks.
    env: { ...process.env, TMPDIR: dir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const machine: Machine = { child, dir, completed: [] }
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: { ready?: boolean; port?: number; completed?: string }) => {
      if (message.completed) machine.completed.push(message.completed)
      if (message.ready) {
        if (message.port) machine.port = message.port
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`${role} exited (code ${code}) before it was ready`)))
  })
  await ready
  return machine
}

async function stopMachine(machine: Machine | undefined): Promise<void> {
  if (!machine) return
  if (machine.child.exitCode === null) {
    const exited = once(machine.child, 'exit')
    machine.child.send('stop')
    await exited
  }
  await rm(machine.dir, { recursive: true, force: true })
}

const api = (pathname: string) => `${base}/api/projects/p1/master-videos${pathname}`

async function objectBytes(key: string): Promise<Buffer> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
  return Buffer.from(
    await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  )
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

beforeAll(async () => {
  ;[s3, pg] = await Promise.all([startS3(), startTestServer()])
  prefix = s3.uniquePrefix()
  // The clips exist only in S3: written in a scratch folder, uploaded, removed.
  const scratch = await mkdtemp(path.join(tmpdir(), 'mv-clips-'))
  const sources = [
    ['a.mp4', 'testsrc', 440],
    ['b.mp4', 'smptebars', 550],
    ['c.mp4', 'rgbtestsrc', 660],
  ] as const
  for (const [name, source, hz] of sources) {
    const file = await lavfiClip(path.join(scratch, name), { source, hz })
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${prefix}clips/p1/${name}`,
        Body: await readFile(file),
        ContentType: 'video/mp4',
      }),
    )
  }
  await rm(scratch, { recursive: true, force: true })

  const config = { pgUrl: pg.url, schema: 'mv_multi', endpoint: s3.endpoint, bucket: s3.bucket, prefix }
  // The HTTP machine first: its repository migrates the schema the workers then find.
  web = await startMachine('http', config)
  base = `http://127.0.0.1:${web.port}`
  workers = await Promise.all([startMachine('worker', config), startMachine('worker', config)])
  browser = await launchChromium()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all([...workers.map(stopMachine), stopMachine(web)])
  await s3?.clear(prefix)
  await s3?.stop()
  await pg?.stop()
}, 60_000)

describe('two workers and an HTTP server, no shared disk', () => {
  it('runs every job created over HTTP, some on each worker', { timeout: 180_000 }, async () => {
    const shots = [
      ['a.mp4', 'b.mp4'],
      ['b.mp4', 'c.mp4'],
      ['c.mp4', 'a.mp4'],
      ['a.mp4', 'b.mp4', 'c.mp4'],
    ]
    for (const [i, list] of shots.slice(0, JOBS).entries()) {
      const res = await fetch(api(''), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `cut ${i}`, shots: list.map((clip) => `p1/${clip}`) }),
      })
      expect(res.status).toBe(201)
      jobIds.push(((await res.json()) as { id: string }).id)
    }
    const deadline = Date.now() + 150_000
    let records: { status: string; error: unknown }[] = []
    while (Date.now() < deadline) {
      records = await Promise.all(
        jobIds.map(
          async (id) => (await (await fetch(api(`/${id}`))).json()) as { status: string; error: unknown },
        ),
      )
      if (records.every((r) => r.status === 'completed' || r.status === 'failed')) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const statuses = records.map((r) =>
      r.status === 'completed' ? r.status : `${r.status}: ${JSON.stringify(r.error)}`,
    )
    expect(statuses).toEqual(jobIds.map(() => 'completed'))
    const done = workers.flatMap((w) => w.completed).sort()
    expect(done).toEqual([...jobIds].sort())
    for (const worker of workers) expect(worker.completed.length).toBeGreaterThan(0)
  })

  it('leaves each worker’s own directory with cached clips only, and outputs in S3 only', async () => {
    const keys = await s3.keys(`${prefix}out/`)
    expect(keys.filter((k) => k.endsWith('.mp4'))).toHaveLength(JOBS)
    for (const worker of workers) {
      const files = await filesUnder(worker.dir)
      // tsx keeps its compile cache in TMPDIR too: that is the test harness, not the worker.
      const own = files.filter((f) => !f.startsWith('tsx-'))
      expect(own.filter((f) => !f.startsWith('clip-cache/'))).toEqual([])
      expect(own.length).toBeGreaterThan(0)
    }
  })

  it('serves a range through proxy and a 302 through redirect with the stored bytes', async () => {
    for (const id of jobIds) {
      const record = (await (await fetch(api(`/${id}`))).json()) as { output: { key: string; size: number } }
      const stored = await objectBytes(`${prefix}out/${record.output.key}`)
      expect(stored.length).toBe(record.output.size)

      const range = await fetch(api(`/${id}/video`), { headers: { Range: 'bytes=100-4195' } })
      expect(range.status).toBe(206)
      expect(range.headers.get('content-range')).toBe(`bytes 100-4195/${stored.length}`)
      expect(Buffer.from(await range.arrayBuffer()).equals(stored.subarray(100, 4196))).toBe(true)

      const redirect = await fetch(`${base}/r/api/projects/p1/master-videos/${id}/video`, {
        redirect: 'manual',
      })
      expect(redirect.status).toBe(302)
      expect(redirect.headers.get('cache-control')).toBe('private, no-store')
      const location = redirect.headers.get('location') as string
      expect(location.startsWith(s3.endpoint)).toBe(true)
      const direct = await fetch(location)
      expect(direct.status).toBe(200)
      expect(Buffer.from(await direct.arrayBuffer()).equals(stored)).toBe(true)
    }
  })

  it('plays the redirected video in Chromium', { timeout: 60_000 }, async () => {
    const page = await browser.newPage()
    // The media bytes must come from S3, not through the HTTP machine.
    const fromS3: number[] = []
    page.on('response', (response) => {
      if (response.url().startsWith(s3.endpoint)) fromS3.push(response.status())
    })
    try {
      // A page of the HTTP machine's origin; the <video> follows the 302 to S3.
      await page.goto(`${base}/api/projects/p1/master-videos?limit=1`)
      const src = `${base}/r/api/projects/p1/master-videos/${jobIds[0]}/video`
      const played = await page.evaluate(`new Promise((resolve, reject) => {
        const video = document.createElement('video')
        video.muted = true
        video.src = ${JSON.stringify(src)}
        video.onerror = () => reject(new Error('video error ' + (video.error && video.error.code)))
        video.ontimeupdate = () => {
          if (video.currentTime > 0.3) resolve({ width: video.videoWidth, height: video.videoHeight, duration: video.duration, src: video.currentSrc })
        }
        document.body.appendChild(video)
        video.play().catch(reject)
      })`)
      expect(played).toMatchObject({ width: 320, height: 240 })
      expect((played as { duration: number }).duration).toBeGreaterThan(1.5)
      expect(fromS3.length).toBeGreaterThan(0)
      expect(fromS3.every((status) => status === 200 || status === 206)).toBe(true)
    } finally {
      await page.close()
    }
  })
})
