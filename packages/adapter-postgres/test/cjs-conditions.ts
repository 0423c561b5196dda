// Imported first by every test file that loads `pg`. The root vitest config
// runs test workers with `node --conditions import --conditions module`, so
// inside CommonJS `pg`, `require('pg-pool')` picks pg-pool's `import` export
// (an ES module) and gets a namespace object instead of the Pool class:
// "Class extends value [object Module] is not a constructor". Plain Node (the
// worker processes, the benchmarks, users) never passes those conditions.
// Until the root config stops forwarding them, seed the require cache with
// the CommonJS build under the path require() resolves to.

// Imported first by every test file that loads `pg`. The root vitest config
// runs test workers with `node --conditions import --conditions module`, so
// inside CommonJS `pg`, `require('pg-pool')` picks pg-pool's `import` export
// (an ES module) and gets a namespace object instead of the Pool class:
// "Class extends value [object Module] is not a constructor". Plain Node (the
// worker processes, the benchmarks, users) never passes those conditions.
// Until the root config stops forwarding them, seed the require cache with
// the CommonJS build under the path require() resolves to.
import Module, { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const resolved = require.resolve('pg-pool')
if (resolved.endsWith('.mjs')) {
  const commonJs = require(path.join(path.dirname(resolved), '..', 'index.js'))
  const cached = new Module(resolved)
  cached.filename = resolved
  cached.loaded = true
  cached.exports = commonJs
  ;(Module as unknown as { _cache: Record<string, Module> })._cache[resolved] = cached
}
