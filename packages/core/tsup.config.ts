import { defineConfig } from 'tsup'

const shared = { dts: true, sourcemap: true, target: 'node20' } as const

export default defineConfig([
  // What hosts and adapter authors import: dual ESM + CJS.
  { ...shared, entry: ['src/index.ts', 'src/adapter/index.ts'], format: ['esm', 'cjs'], clean: true },
  // The conformance suites import vitest, which is ESM only; a CJS build of
  // them could only throw on require(), so there is none.
  { ...shared, entry: { 'testing/index': 'src/testing/index.ts' }, format: ['esm'] },
])
