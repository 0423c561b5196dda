import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Fixture, startS3 } from './s3-fixture.js'

// The published build, as users load it. Run `npm run build -w
// @mastervideo/adapter-s3` first; skipped without a dist. CommonJS is loaded
// by a plain `node` child: under vitest, require() would follow the source
// export condition into TypeScript.
const dist = new URL('../dist/', import.meta.url)
const built = existsSync(new URL('index.js', dist)) && existsSync(new URL('index.cjs', dist))
const EXPORTS = ['attachmentDisposition', 's3Assets', 's3OutputStore']

describe.skipIf(!built)('the built package', () => {
  let s3: S3Fixture
  let tempDir: string
  beforeAll(async () => {
    s3 = await startS3()
    tempDir = await mkdtemp(path.join(tmpdir(), 'mv-s3-dist-'))
  })
  afterAll(async () => {
    await s3?.stop()
    await rm(tempDir, { recursive: true, force: true })
  })

  it('works from ESM', async () => {
    const mod = await import(new URL('index.js', dist).href)
    expect(Object.keys(mod).sort()).toEqual(EXPORTS)
    const prefix = s3.uniquePrefix()
    const store = mod.s3OutputStore({ client: s3.client, bucket: s3.bucket, prefix, tempDir })
    const pending = await store.prepare('a.mp4')
    await writeFile(pending.path, 'from dist')
    expect(await pending.commit()).toMatchObject({ key: 'a.mp4', size: 9 })
    expect((await store.read('a.mp4', { start: 5, end: 8 })).toString()).toBe('dist')
    await s3.clear(prefix)
  })

  it('works from CommonJS', async () => {
    const script = `
      const mv = require(${JSON.stringify(fileURLToPath(new URL('index.cjs', dist)))})
      const { S3Client } = require('@aws-sdk/client-s3')
      const client = new S3Client({ endpoint: process.argv[1], region: 'us-east-1', forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
      const store = mv.s3OutputStore({ client, bucket: process.argv[2] })
      store.stat('missing.mp4').then((found) => {
        console.log(JSON.stringify({ keys: Object.keys(mv).sort(), found }))
        client.destroy()
      })
    `
    // Only s3rver's fixed credentials are known here; an external S3 is covered by the ESM test.
    if (s3.kind !== 's3rver') return
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, s3.endpoint, s3.bucket], {
      cwd: fileURLToPath(new URL('..', dist)),
    })
    expect(JSON.parse(stdout)).toEqual({ keys: EXPORTS, found: null })
  })
})
