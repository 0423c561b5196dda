// Every `mastervideo …` command in README.md and docs/*.md, run as written
// through the bin that `npm ci` links (node_modules/.bin/mastervideo ->
// packages/cli/bin/mastervideo.js), from a folder inside the repository, as a
// user in a fresh clone would type it. The safe ones run (doctor, concat,
// --help, --version); serve and worker run until stopped and are only listed.
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink } from 'node:fs/promises'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../../..')
const launcher = path.join(root, 'packages/cli/bin/mastervideo.js')

/** One command as the docs print it, and where. */
interface DocCommand {
  text: string
  where: string[]
}

const SHELL_FENCES = new Set(['', 'sh', 'bash', 'shell', 'console'])
const COMMAND = /^(npx )?mastervideo(\s|$)/

/**
 * The commands of one Markdown file: lines of shell code blocks (a leading
 * `$ ` prompt and a trailing `# comment` dropped) and inline code spans.
 */
function commandsIn(markdown: string, file: string): { text: string; where: string }[] {
  const found: { text: string; where: string }[] = []
  let fence: string | null = null
  markdown.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`
    const opening = /^\s*```(\S*)/.exec(line)
    if (opening) {
      fence = fence === null ? (opening[1] ?? '') : null
      return
    }
    if (fence !== null) {
      const text = line
        .replace(/^\s*\$\s+/, '')
        .replace(/\s+#.*$/, '')
        .trim()
      if (SHELL_FENCES.has(fence) && COMMAND.test(text)) found.push({ text, where })
      return
    }
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      const text = (span[1] ?? '').trim()
      if (COMMAND.test(text)) found.push({ text, where })
    }
  })
  return found
}

async function docCommands(): Promise<DocCommand[]> {
  const files = ['README.md', ...(await readdir(path.join(root, 'docs'))).map((name) => `docs/${name}`)]
  const byText = new Map<string, DocCommand>()
  for (const file of files.filter((name) => name.endsWith('.md'))) {
    for (const { text, where } of commandsIn(await readFile(path.join(root, file), 'utf8'), file)) {
      const entry = byText.get(text) ?? { text, where: [] }
      entry.where.push(where)
      byText.set(text, entry)
    }
  }
  return [...byText.values()]
}

/** Why a command is not run, or null when it is safe to run. */
function notRunBecause(words: string[]): string | null {
  if (words.includes('--help') || words.includes('-h') || words.includes('--version')) return null
  const sub = words[0]
  if (sub === 'doctor') return null
  // Prose names `mastervideo concat` as a tool; a command has clips and -o.
  if (sub === 'concat') return words.includes('-o') ? null : 'a mention, without clips or -o'
  return `${sub ?? '(no command)'} runs until stopped`
}

const commands = await docCommands()
const runnable = commands.filter(
  (c) => notRunBecause(c.text.replace(/^npx /, '').split(/\s+/).slice(1)) === null,
)

let work: string
let clip: string
beforeAll(async () => {
  // Inside the repository, so `npx` finds node_modules/.bin as in a clone.
  await mkdir(path.join(root, 'test-output'), { recursive: true })
  work = await mkdtemp(path.join(root, 'test-output', 'docs-commands-'))
  clip = path.join(work, 'clip.mp4')
  const { ffmpeg } = await resolveBinaries({})
  await execa(ffmpeg, [
    ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
  ])
}, 60_000)
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

/** The environment of a user's shell: no settings of ours, no registry install by `npx`. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('MASTERVIDEO_')) env[key] = value
  }
  // What `npm install -g` or an npm script gives a bare `mastervideo`.
  env.PATH = `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`
  return { ...env, FORCE_COLOR: '0', npm_config_yes: 'false' }
}

describe('the CLI commands in README.md and docs/*.md', () => {
  it('finds the doctor and concat commands, and npm links the committed launcher', async () => {
    const texts = runnable.map((c) => c.text)
    expect(texts.some((t) => /^npx mastervideo doctor/.test(t))).toBe(true)
    expect(texts.some((t) => /^npx mastervideo concat .* -o /.test(t))).toBe(true)
    // A file that exists before any build, so `npm ci` links it.
    expect(await realpath(path.join(root, 'node_modules', '.bin', 'mastervideo'))).toBe(launcher)
    expect((await stat(launcher)).mode & 0o111).not.toBe(0)
  })

  it.each(runnable.map((c) => [c.text, c] as const))('%s', { timeout: 180_000 }, async (_, command) => {
    const dir = await mkdtemp(path.join(work, 'run-'))
    const words = command.text.split(/\s+/)
    const args = words.slice(words[0] === 'npx' ? 2 : 1).map((word) =>
      // An absolute path (`--data /var/lib/mastervideo`) lands inside the test folder.
      path.isAbsolute(word) ? path.join(dir, word) : word,
    )
    // The clips a command names: every .mp4 but the one after -o.
    const output = args[args.indexOf('-o') + 1]
    for (const word of args) {
      if (/\.(mp4|mov|mkv|webm)$/i.test(word) && word !== output) await copyFile(clip, path.join(dir, word))
    }
    const [file, ...rest] = words[0] === 'npx' ? ['npx', 'mastervideo', ...args] : ['mastervideo', ...args]
    const run = await execa(file as string, rest, {
      cwd: dir,
      env: userEnv(),
      extendEnv: false,
      reject: false,
    })
    expect(run.exitCode, `${command.where.join(', ')}\n${run.stdout}\n${run.stderr}`).toBe(0)
    if (args[0] === 'concat' && output)
      expect((await stat(path.join(dir, output))).size).toBeGreaterThan(1000)
    if (args[0] === 'doctor') expect(run.stdout).toContain('all checks passed')
  })
})

describe('the committed launcher', () => {
  it('runs the sources when there is no build, and asks for one when there are neither', async () => {
    // A copy of the package with src/ but no dist/: a fresh clone before any build.
    const fresh = path.join(work, 'fresh-cli')
    await mkdir(path.join(fresh, 'bin'), { recursive: true })
    await copyFile(launcher, path.join(fresh, 'bin', 'mastervideo.js'))
    await copyFile(path.join(root, 'packages/cli/package.json'), path.join(fresh, 'package.json'))
    await symlink(path.join(root, 'packages/cli/src'), path.join(fresh, 'src'))
    const version = await execa(process.execPath, [path.join(fresh, 'bin', 'mastervideo.js'), '--version'], {
      reject: false,
    })
    expect(version.stderr).toBe('')
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)

    const bare = path.join(work, 'bare-cli')
    await mkdir(path.join(bare, 'bin'), { recursive: true })
    await copyFile(launcher, path.join(bare, 'bin', 'mastervideo.js'))
    const missing = await execa(process.execPath, [path.join(bare, 'bin', 'mastervideo.js'), '--help'], {
      reject: false,
    })
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('npm run build')
  }, 120_000)
})
