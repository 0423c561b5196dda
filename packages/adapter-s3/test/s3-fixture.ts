// The S3 the tests run against: s3rver, started in a child process on
// 127.0.0.1 with a free port and a temporary directory; or, when
// MASTERVIDEO_S3_ENDPOINT is set, that server (MinIO, AWS, ...), with the
// credentials of the standard AWS chain (AWS_ACCESS_KEY_ID, ...).
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
} from '@aws-sdk/client-s3'

const packageDir = path.resolve(import.meta.dirname, '..')
const serverScript = path.join(import.meta.dirname, 'fixtures', 's3rver-process.ts')

/** A running S3 and a client for it. */
export interface S3Fixture {
  /** `'s3rver'` or the endpoint of the external server. */
  kind: string
  endpoint: string
  bucket: string
  /** Builds a new client for the same server (each test may add its own middleware). */
  newClient(): S3Client
  client: S3Client
  /** A prefix no other test run uses: `test-<random>/`. */
  uniquePrefix(): string
  /** Multipart uploads still open under `prefix`, with the number of parts each holds. */
  openUploads(prefix: string): Promise<{ key: string; uploadId: string; parts: number }[]>
  /** Every object key under `prefix`. */
  keys(prefix: string): Promise<string[]>
  /** Deletes every object under `prefix`. */
  clear(prefix: string): Promise<void>
  stop(): Promise<void>
}

function clientFor(endpoint: string, external: boolean): S3Client {
  return new S3Client({
    endpoint,
    region: process.env.MASTERVIDEO_S3_REGION ?? 'us-east-1',
    forcePathStyle: external ? process.env.MASTERVIDEO_S3_FORCE_PATH_STYLE !== '0' : true,
    ...(external ? {} : { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  })
}

async function startS3rver(bucket: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'mv-s3rver-'))
  const child: ChildProcess = fork(serverScript, [directory, bucket], {
    cwd: packageDir,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`s3rver exited (code ${code}) before listening`)))
  })
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send('stop')
      await exited
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** Starts (or connects to) the S3 of this test run. */
export async function startS3(): Promise<S3Fixture> {
  const externalEndpoint = process.env.MASTERVIDEO_S3_ENDPOINT
  const bucket = process.env.MASTERVIDEO_S3_BUCKET ?? 'mastervideo-test'
  const server = externalEndpoint
    ? { endpoint: externalEndpoint, stop: async () => {} }
    : await startS3rver(bucket)
  const newClient = () => clientFor(server.endpoint, Boolean(externalEndpoint))
  const client = newClient()
  if (externalEndpoint) {
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error
    })
  }

  async function keys(prefix: string): Promise<string[]> {
    const found: string[] = []
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      )
      for (const item of page.Contents ?? []) if (item.Key) found.push(item.Key)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return found
  }

  return {
    kind: externalEndpoint ?? 's3rver',
    endpoint: server.endpoint,
    bucket,
    newClient,
    client,
    uniquePrefix: () => `test-${randomBytes(6).toString('hex')}/`,
    async openUploads(prefix) {
      const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))
      const open = []
      for (const upload of listed.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue
        const parts = await client.send(
          new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
        )
        open.push({ key: upload.Key, uploadId: upload.UploadId, parts: parts.Parts?.length ?? 0 })
      }
      return open
    },
    keys,
    async clear(prefix) {
      const all = await keys(prefix)
      for (let i = 0; i < all.length; i += 1000) {
        await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })) },
          }),
        )
      }
    },
    async stop() {
      client.destroy()
      await server.stop()
    },
  }
}
