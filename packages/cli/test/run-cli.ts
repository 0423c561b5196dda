import path from 'node:path'
import { execa } from 'execa'

const root = path.resolve(import.meta.dirname, '../../..')
const bin = path.resolve(import.meta.dirname, '../src/bin.ts')

/** Runs the CLI from its TypeScript source, the way `npx mastervideo` runs the build. */
export function runCli(args: string[]) {
  return execa(process.execPath, ['--conditions=@mastervideo/source', '--import', 'tsx', bin, ...args], {
    cwd: root,
    reject: false,
    // A graceful stop may take longer than execa's default 5 s before SIGKILL.
    forceKillAfterDelay: false,
    env: { FORCE_COLOR: '0' },
  })
}
