import { defineConfig } from 'tsup'

export default defineConfig([
  // The library entry: dual, like every package (`shims` supplies import.meta.url in CJS).
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    sourcemap: true,
    shims: true,
    target: 'node20',
  },
  // The bin: ESM only (top-level await).
  { entry: ['src/bin.ts'], format: ['esm'], sourcemap: true, target: 'node20' },
])
