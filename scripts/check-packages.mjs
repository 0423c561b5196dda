// Checks every publishable package the way a consumer would meet it:
// publint (package.json and exports are sound) and arethetypeswrong
// (types resolve for ESM and CJS under Node 16+ resolution), on the packed
// tarball. Runs after the build, as part of `npm test`.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
let failed = 0

for (const dir of readdirSync(path.join(root, 'packages'))) {
  const folder = path.join(root, 'packages', dir)
  const manifest = path.join(folder, 'package.json')
  if (!existsSync(manifest)) continue
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
  if (pkg.private || !pkg.exports) continue
  if (!existsSync(path.join(folder, 'dist'))) {
    console.error(`${pkg.name}: no dist/ (run npm run build first)`)
    failed++
    continue
  }
  // Subpaths without a `require` condition are ESM only on purpose (core's
  // testing entry imports vitest): check those under attw's esm-only profile.
  const esmOnly = Object.entries(pkg.exports)
    .filter(([subpath, target]) => subpath !== '.' && typeof target === 'object' && !('require' in target))
    .map(([subpath]) => subpath)
  const checks = [
    ['publint', ['--strict', folder]],
    [
      'attw',
      [
        '--pack',
        folder,
        '--profile',
        'node16',
        ...(esmOnly.length ? ['--exclude-entrypoints', ...esmOnly] : []),
      ],
    ],
    ...(esmOnly.length
      ? [['attw', ['--pack', folder, '--profile', 'esm-only', '--entrypoints', ...esmOnly]]]
      : []),
  ]
  for (const [tool, args] of checks) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', cwd: root })
      console.log(`ok   ${tool} ${pkg.name}`)
    } catch (error) {
      failed++
      console.error(`FAIL ${tool} ${pkg.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
    }
  }
}
console.log(failed === 0 ? 'package checks: all passed' : `package checks: ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
