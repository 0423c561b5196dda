import { defineConfig } from 'tsup'

// One build, so the three entries share chunks (one MasterVideoError class).
// The conformance suites import vitest, which is ESM only: the `build` script
// removes their CommonJS output, which could only throw on require().
export default defineConfig({
  entry: ['src/index.ts', 'src/adapter/index.ts', 'src/testing/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
