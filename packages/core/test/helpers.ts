import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  directoryAssets,
  localOutputStore,
  type MasterVideo,
  type MasterVideoEventName,
  type MasterVideos,
  memoryRepository,
  type Repository,
  type Transcoder,
} from '@mastervideo/core'
import { writeTestClip } from '@mastervideo/core/testing'

export interface Harness {
  root: string
  outputDir: string
  mv: MasterVideos
  repository: Repository
  /** Every event the service emitted, in order, as `event:id`. */
  events: string[]
  outputFiles: () => Promise<string[]>
  cleanup: () => Promise<void>
}

/** A service on a memory repository, with three test clips in `assets/`. */
export async function harness(
  transcoder: Transcoder,
  repository: Repository = memoryRepository(),
): Promise<Harness> {
  const root = await mkdtemp(path.join(tmpdir(), 'mv-core-'))
  const assetsDir = path.join(root, 'assets')
  const outputDir = path.join(root, 'out')
  await mkdir(assetsDir)
  for (const name of ['a', 'b', 'c']) await writeTestClip(path.join(assetsDir, `${name}.bin`))
  const mv = createMasterVideos({
    repository,
    transcoder,
    assets: directoryAssets(assetsDir),
    output: localOutputStore(outputDir),
  })
  const events: string[] = []
  const names: MasterVideoEventName[] = [
    'created',
    'processing',
    'retrying',
    'completed',
    'failed',
    'canceled',
    'deleted',
  ]
  for (const name of names) {
    mv.on(name as 'created', (record: MasterVideo) => events.push(`${name}:${record.id}`))
  }
  return {
    root,
    outputDir,
    mv,
    repository,
    events,
    outputFiles: async () => readdir(outputDir).catch(() => []),
    cleanup: async () => {
      await mv.close({ graceMs: 0 })
      await rm(root, { recursive: true, force: true })
    },
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves with the first time `predicate` holds, polling every 5 ms (fails after 10 s). */
export async function until(predicate: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}
