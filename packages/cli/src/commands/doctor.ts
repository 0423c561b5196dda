import { mkdir, rm, statfs, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { buildOf, describeBuild, pairWarnings, resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { newMasterVideoId } from '@mastervideo/core'
import { execa } from 'execa'
import { dataPaths } from '../config.js'
import { probeBucket, type S3Settings, s3Client, s3Settings } from '../s3-config.js'
import { nodeEngineCheck } from './node-engine.js'

/** One line of the report. */
export interface Check {
  name: string
  ok: boolean
  detail: string
  /** Not failures, but worth acting on (printed as `warn` lines; the exit code stays 0). */
  warnings?: string[]
}

const MIN_FREE_BYTES = 1024 ** 3

async function check(name: string, run: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await run() }
  } catch (error) {
    return {
      name,
      ok: false,
      detail: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    }
  }
}

/**
 * The original system's troubleshooting checklist as one command: Node.js is
 * in this package's `engines` range, ffmpeg and ffprobe run and have the
 * encoders we use, the database opens and takes a write, the output folder is
 * writable with room to spare, and, with `MASTERVIDEO_S3_BUCKET` set, the
 * bucket takes a small object and its deletion. Exit code 0 when all pass.
 */
export async function runDoctor(options: { data?: string } = {}): Promise<Check[]> {
  const paths = dataPaths(options.data)
  const binaries = await resolveBinaries({})
  return [
    await check('node', async () => nodeEngineCheck()),
    await check('ffmpeg', async () => {
      const { stdout } = await execa(binaries.ffmpeg, ['-hide_banner', '-version'])
      return `${stdout.split('\n')[0]} at ${binaries.ffmpeg}`
    }),
    await check('ffmpeg encoders', async () => {
      const { stdout } = await execa(binaries.ffmpeg, ['-hide_banner', '-encoders'])
      const missing = ['libx264', 'aac', 'mjpeg'].filter((name) => !new RegExp(`\\s${name}\\s`).test(stdout))
      if (missing.length > 0) throw new Error(`missing encoders: ${missing.join(', ')}`)
      return 'libx264, aac, mjpeg'
    }),
    await check('ffprobe', async () => {
      const { stdout } = await execa(binaries.ffprobe, ['-hide_banner', '-version'])
      return `${stdout.split('\n')[0]} at ${binaries.ffprobe}`
    }),
    // Which pair decodes uploads, from where, and how old: a 2018 build should not meet strangers' files.
    await (async () => {
      const warnings: string[] = (binaries.skipped ?? []).map((reason) => `passed over on PATH: ${reason}`)
      const pair = await check('ffmpeg pair', async () => {
        const [ffmpeg, ffprobe] = await Promise.all([buildOf(binaries.ffmpeg), buildOf(binaries.ffprobe)])
        warnings.push(...pairWarnings(ffmpeg, ffprobe))
        const from = binaries.ffprobeSource
          ? `ffmpeg from ${binaries.source}, ffprobe from ${binaries.ffprobeSource}`
          : `from ${binaries.source ?? 'bundled'}`
        return `${from}: ffmpeg ${describeBuild(ffmpeg)}, ffprobe ${describeBuild(ffprobe)}`
      })
      return warnings.length > 0 ? { ...pair, warnings } : pair
    })(),
    await check('database', async () => {
      await mkdir(paths.root, { recursive: true })
      const repository = sqliteRepository({ filename: paths.database })
      try {
        const { record } = await repository.create({
          id: newMasterVideoId(),
          projectId: '__doctor__',
          name: 'doctor write check',
          shots: [{ assetId: 'none' }],
          maxAttempts: 1,
          encoding: {},
          idempotencyKey: null,
          runAt: new Date(Date.now() + 86_400_000),
        })
        await repository.delete(record.id)
      } finally {
        await repository.close?.()
      }
      return `${paths.database} opens and takes a write`
    }),
    await check('output folder', async () => {
      await mkdir(paths.output, { recursive: true })
      const probe = path.join(paths.output, `.doctor-${process.pid}`)
      await writeFile(probe, 'ok')
      await rm(probe)
      const fs = await statfs(paths.output)
      const free = fs.bavail * fs.bsize
      const gib = (free / 1024 ** 3).toFixed(1)
      if (free < MIN_FREE_BYTES) throw new Error(`${paths.output} is writable but only ${gib} GiB is free`)
      return `${paths.output} writable, ${gib} GiB free`
    }),
    // With MASTERVIDEO_S3_BUCKET the outputs go to the bucket: prove it takes a write.
    ...(process.env.MASTERVIDEO_S3_BUCKET
      ? [
          await check('S3 bucket', async () => {
            const settings = s3Settings() as S3Settings
            const client = s3Client(settings)
            try {
              return await probeBucket(client, settings)
            } finally {
              client.destroy()
            }
          }),
        ]
      : []),
  ]
}

/** `mastervideo doctor`: prints the checks; the exit code says pass (0) or fail (1). */
export async function doctorCommand(options: { data?: string }): Promise<number> {
  const checks = await runDoctor(options)
  for (const c of checks) {
    process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(16)} ${c.detail}\n`)
    for (const warning of c.warnings ?? []) process.stdout.write(`warn ${''.padEnd(16)} ${warning}\n`)
  }
  const failed = checks.filter((c) => !c.ok).length
  process.stdout.write(failed === 0 ? 'all checks passed\n' : `${failed} check(s) failed\n`)
  return failed === 0 ? 0 : 1
}
