// ffmpeg in its own process group, guarded against outliving its host, and a
// stall watchdog that counts the faststart pass's rewriting as progress.
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMasterVideoError } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFfmpeg } from '../src/ffmpeg-process.js'
import { fakeFfmpeg, processAlive } from './fixtures.js'

const root = path.resolve(import.meta.dirname, '../../..')
let dir: string
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-group-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A stand-in ffmpeg: one progress block, then `body` with `$out` the last argument. */
async function fake(body: string): Promise<{ ffmpeg: string; out: string }> {
  const out = path.join(dir, `out-${++n}.mp4`)
  const ffmpeg = await fakeFfmpeg(
    path.join(dir, `ffmpeg-${n}`),
    [
      'for out; do :; done',
      'printf "out_time_us=1000000\\ntotal_size=4096\\nprogress=continue\\n"',
      body,
      'printf "out_time_us=1000000\\ntotal_size=4096\\nprogress=end\\n"',
    ].join('\n'),
  )
  return { ffmpeg, out }
}

// 1.5 s without a progress line while the file changes every 100 ms; the watchdog allows 300 ms.
const REWRITE_IN_PLACE =
  'head -c 4096 /dev/zero > "$out"; i=0; while [ $i -lt 15 ]; do dd if=/dev/urandom of="$out" bs=1024 count=1 conv=notrunc 2>/dev/null; sleep 0.1; i=$((i+1)); done'
const GROW = 'i=0; while [ $i -lt 15 ]; do head -c 1024 /dev/zero >> "$out"; sleep 0.1; i=$((i+1)); done'

describe('stall watchdog and the faststart pass', () => {
  it('a writer that rewrites its output in place without progress lines (faststart) is not killed', async () => {
    const { ffmpeg, out } = await fake(REWRITE_IN_PLACE)
    const outcome = await runFfmpeg({
      ffmpeg,
      args: [out],
      what: 'test',
      totalSec: 1,
      stallTimeoutMs: 300,
      watchFile: out,
    })
    expect(outcome.final?.end).toBe(true)
  })

  it('a writer that only grows its output is not killed either', async () => {
    const { ffmpeg, out } = await fake(GROW)
    await runFfmpeg({ ffmpeg, args: [out], what: 'test', totalSec: 1, stallTimeoutMs: 300, watchFile: out })
    expect((await readFile(out)).length).toBe(15 * 1024)
  })

  it('the same writer, its file not watched, is killed as stalled: the watch is what saves it', async () => {
    const { ffmpeg, out } = await fake(REWRITE_IN_PLACE)
    const error = await runFfmpeg({
      ffmpeg,
      args: [out],
      what: 'test',
      totalSec: 1,
      stallTimeoutMs: 300,
      killGraceMs: 100,
    }).catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TIMEOUT')
  })

  it('a file that stops changing is a stall, watched or not', async () => {
    const { ffmpeg, out } = await fake('head -c 4096 /dev/zero > "$out"; sleep 30')
    const started = Date.now()
    const error = await runFfmpeg({
      ffmpeg,
      args: [out],
      what: 'test',
      totalSec: 1,
      stallTimeoutMs: 300,
      killGraceMs: 100,
      watchFile: out,
    }).catch((e: unknown) => e)
    expect(isMasterVideoError(error) && error.code).toBe('TIMEOUT')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

/** The process group of `pid`, from /proc. */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
}

describe.runIf(process.platform === 'linux')('ffmpeg in its own process group', () => {
  it('runs outside the host process group, so a signal to that group does not reach it', async () => {
    const pidFile = path.join(dir, `pid-${++n}`)
    const ffmpeg = await fakeFfmpeg(path.join(dir, `ffmpeg-${n}`), `echo $$ > '${pidFile}'\nexec sleep 30`)
    const controller = new AbortController()
    const running = runFfmpeg({
      ffmpeg,
      args: [],
      what: 'test',
      totalSec: 0,
      signal: controller.signal,
      killGraceMs: 200,
    })
    let pid = 0
    while (!pid) {
      pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'))
      await sleep(10)
    }
    expect(groupOf(pid)).toBe(pid)
    expect(groupOf(pid)).not.toBe(groupOf(process.pid))
    controller.abort()
    await running.catch(() => {})
    expect(processAlive(pid)).toBe(false)
  })

  it('is killed by its guard when the host dies without stopping it (SIGKILL)', async () => {
    const pidFile = path.join(dir, `pid-${++n}`)
    const ffmpeg = await fakeFfmpeg(path.join(dir, `ffmpeg-${n}`), `echo $$ > '${pidFile}'\nexec sleep 60`)
    const host = path.join(dir, `host-${n}.mts`)
    const source = path.resolve(import.meta.dirname, '../src/ffmpeg-process.ts')
    await writeFile(
      host,
      `import { runFfmpeg } from ${JSON.stringify(source)}\nawait runFfmpeg({ ffmpeg: ${JSON.stringify(ffmpeg)}, args: [], what: 'test', totalSec: 0 })\n`,
    )
    const child = execa(process.execPath, ['--conditions=@mastervideo/source', '--import', 'tsx', host], {
      cwd: root,
      reject: false,
    })
    let pid = 0
    const deadline = Date.now() + 30_000
    while (!pid && Date.now() < deadline) {
      pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'))
      await sleep(20)
    }
    expect(pid, child.exitCode === null ? 'no pid yet' : (await child).stderr).toBeGreaterThan(0)
    expect(processAlive(pid)).toBe(true)
    child.kill('SIGKILL')
    await child
    const gone = Date.now() + 5000
    while (processAlive(pid) && Date.now() < gone) await sleep(20)
    expect(processAlive(pid)).toBe(false)
  }, 60_000)

  it('has one guard per host for every run, which kills each run still going when the host dies', async () => {
    // Tried: a run that ends (taken off the guard's list), then two at once; the host SIGKILLed.
    const pidFiles = [1, 2].map(() => path.join(dir, `pid-${++n}`))
    const sleepers = await Promise.all(
      pidFiles.map((file, i) =>
        fakeFfmpeg(path.join(dir, `ffmpeg-${n}-${i}`), `echo $$ > '${file}'\nexec sleep 60`),
      ),
    )
    const quick = await fakeFfmpeg(path.join(dir, `ffmpeg-${n}-quick`), 'exit 0')
    const host = path.join(dir, `host-${n}.mts`)
    const source = path.resolve(import.meta.dirname, '../src/ffmpeg-process.ts')
    const run = (ffmpeg: string) =>
      `runFfmpeg({ ffmpeg: ${JSON.stringify(ffmpeg)}, args: [], what: 'test', totalSec: 0 })`
    await writeFile(
      host,
      `import { runFfmpeg } from ${JSON.stringify(source)}\nawait ${run(quick)}\nawait Promise.all([${sleepers.map(run).join(', ')}])\n`,
    )
    const child = execa(process.execPath, ['--conditions=@mastervideo/source', '--import', 'tsx', host], {
      cwd: root,
      reject: false,
    })
    const pids = [0, 0]
    const deadline = Date.now() + 30_000
    while (pids.includes(0) && Date.now() < deadline) {
      for (const [i, file] of pidFiles.entries())
        pids[i] = Number(await readFile(file, 'utf8').catch(() => '0'))
      await sleep(20)
    }
    expect(
      pids.every((pid) => pid > 0),
      child.exitCode === null ? 'no pids yet' : (await child).stderr,
    ).toBe(true)
    const guards = (
      await execa('pgrep', ['-P', String(child.pid), '-f', 'mastervideo-ffmpeg-guard'], { reject: false })
    ).stdout
      .split('\n')
      .filter(Boolean)
    expect(guards).toHaveLength(1)
    child.kill('SIGKILL')
    await child
    const gone = Date.now() + 5000
    while (pids.some(processAlive) && Date.now() < gone) await sleep(20)
    expect(pids.map(processAlive)).toEqual([false, false])
  }, 60_000)
})
