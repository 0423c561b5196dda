// The part of autocannon's API the benches use (the package ships no types).
declare module 'autocannon' {
  import type { IncomingHttpHeaders } from 'node:http'

  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }
  interface RequestSpec {
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers?: IncomingHttpHeaders | Record<string, string>,
    ) => void
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    requests?: RequestSpec[]
  }
  interface Histogram {
    average: number
    mean: number
    p50: number
    p99: number
    total: number
  }
  interface Result {
    requests: Histogram
    throughput: Histogram
    latency: Histogram
    errors: number
    timeouts: number
    non2xx: number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
