#!/usr/bin/env node
// The `mastervideo` command. npm links a bin at install time only when its
// file exists then, and dist/ is built later, so the bin is this committed
// file, which finds the program:
// - in a checkout of the repository (src/ beside this folder, tsx installed):
//   the TypeScript sources, run the way `npm start` runs them, so
//   `npx mastervideo` works right after `npm ci`, with no build and never a
//   stale one (compiling costs a second or two at start);
// - in the published package: the build, dist/bin.js;
// - neither: says what to run.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
const built = new URL('../dist/bin.js', import.meta.url)

/** tsx's register API as a file URL, or null when tsx is not installed (a production install). */
function tsxApi() {
  try {
    return import.meta.resolve('tsx/esm/api')
  } catch {
    return null
  }
}

const tsx = existsSync(source) ? tsxApi() : null
if (tsx) {
  // What `node --conditions=@mastervideo/source --import tsx` does, in this
  // process: workspace packages resolve to their src/, and tsx compiles it.
  const { register } = await import('node:module')
  register(
    `data:text/javascript,${encodeURIComponent(
      "export const resolve = (s, c, next) => next(s, { ...c, conditions: [...c.conditions, '@mastervideo/source'] })",
    )}`,
  )
  const { register: compileTypeScript } = await import(tsx)
  compileTypeScript()
  await import(pathToFileURL(source).href)
} else if (existsSync(fileURLToPath(built))) {
  await import(built.href)
} else {
  process.stderr.write(
    'mastervideo: the build is missing (dist/bin.js): run `npm run build` in the repository root, or `npm ci` to install tsx and run from the sources\n',
  )
  process.exitCode = 1
}
