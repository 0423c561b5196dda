// A local stand-in for Sentry's ingest: an HTTP server that takes what the SDK
// posts to /api/<project>/envelope/ and keeps each envelope's items. DSN:
// http://public@127.0.0.1:<port>/1.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** One item of an envelope: its header and its payload (JSON parsed when it is JSON). */
export interface EnvelopeItem {
  header: { type: string; length?: number; filename?: string; content_type?: string }
  payload: Buffer
  json: unknown
}

export interface FakeSentry {
  dsn: string
  /** The path of every request, in order. */
  paths: string[]
  items: EnvelopeItem[]
  close(): Promise<void>
}

/**
 * Splits an envelope: a header line, then per item a header line and a
 * payload that is `length` bytes when the header says so, else one line.
 */
export function parseEnvelope(body: Buffer): EnvelopeItem[] {
  const items: EnvelopeItem[] = []
  let at = body.indexOf(0x0a) + 1
  while (at > 0 && at < body.length) {
    const headerEnd = body.indexOf(0x0a, at)
    const line = body.subarray(at, headerEnd === -1 ? body.length : headerEnd).toString('utf8')
    if (line.trim() === '') break
    const header = JSON.parse(line) as EnvelopeItem['header']
    const start = headerEnd + 1
    const end = header.length !== undefined ? start + header.length : indexOrEnd(body, start)
    const payload = body.subarray(start, end)
    let json: unknown = null
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch {}
    items.push({ header, payload, json })
    at = end + 1
  }
  return items
}

const indexOrEnd = (body: Buffer, from: number) => {
  const index = body.indexOf(0x0a, from)
  return index === -1 ? body.length : index
}

export async function fakeSentry(): Promise<FakeSentry> {
  const fake: FakeSentry = { dsn: '', paths: [], items: [], close: async () => {} }
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    let body = Buffer.concat(chunks)
    if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
    fake.paths.push(`${request.method} ${request.url?.split('?')[0]}`)
    if (request.method === 'POST' && /^\/api\/1\/envelope\/?(\?|$)/.test(request.url ?? '')) {
      fake.items.push(...parseEnvelope(body))
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.dsn = `http://public@127.0.0.1:${(server.address() as AddressInfo).port}/1`
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return fake
}
