/**
 * The program each process of {@link startClaimWorkers} runs, as ES module
 * source for `node --eval`: a source string, so the suite works the same from
 * TypeScript sources and from the built package without shipping a second
 * entry file. It imports nothing from mastervideo itself; the repository
 * comes from the author's module.
 *
 * argv: the module's URL, its arguments as JSON, the worker id, the lease in ms.
 * Messages to the parent: `ready`, `claimed`, `completed`, `error`, `fatal`, `stopped`.
 * Messages from the parent: `go` (start claiming), `stop`.
 */
export const CLAIM_WORKER_PROGRAM = `
import { randomUUID } from 'node:crypto'

const [moduleUrl, argsJson, workerId, leaseMsText] = process.argv.slice(1)
const leaseMs = Number(leaseMsText)
const send = (message) => process.send?.(message)
const describe = (error) => ({
  code: typeof error?.code === 'string' ? error.code : null,
  message: error instanceof Error ? error.message : String(error),
})
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const output = { key: 'claim-race.mp4', size: 1, durationSec: 1, width: 320, height: 240, strategy: 'copy' }

async function main() {
  const mod = await import(moduleUrl)
  const args = JSON.parse(argsJson)
  const open = mod.createRepository ?? mod.default
  if (typeof open !== 'function') throw new Error('the module exports no createRepository function')
  const repository = await open(args)
  let stopPoller = () => {}
  let running = false
  let wanted = false
  let stopped = false
  let errors = 0

  // Claim and complete until nothing is due; a wake-up meanwhile means one more round.
  async function drain() {
    if (running) {
      wanted = true
      return
    }
    running = true
    try {
      do {
        wanted = false
        while (!stopped && errors < 50) {
          let claimed
          try {
            claimed = await repository.claim({ workerId, leaseToken: randomUUID(), leaseMs })
          } catch (error) {
            errors++
            send({ type: 'error', workerId, error: describe(error) })
            wanted = true
            await sleep(10)
            break
          }
          if (!claimed) break
          const id = claimed.record.id
          send({ type: 'claimed', id, workerId })
          try {
            await repository.complete(claimed.lease, { output, thumbnailKey: null })
            send({ type: 'completed', id, workerId })
          } catch (error) {
            errors++
            send({ type: 'error', workerId, id, error: describe(error) })
          }
        }
      } while (wanted && !stopped && errors < 50)
    } finally {
      running = false
    }
  }

  process.on('message', async (message) => {
    if (message === 'go') {
      if (typeof mod.createPoller === 'function') {
        stopPoller = (await mod.createPoller(args)).start(() => void drain())
      }
      void drain()
    } else if (message === 'stop') {
      stopped = true
      stopPoller()
      while (running) await sleep(5)
      await repository.close?.()
      send({ type: 'stopped', workerId })
      process.disconnect?.()
    }
  })
  send({ type: 'ready', workerId })
}

main().catch((error) => {
  send({ type: 'fatal', workerId, error: describe(error) })
  process.exitCode = 1
  process.disconnect?.()
})
`
