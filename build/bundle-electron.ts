/** Bundles Electron main (ESM), the demo (ESM, loaded on demand) and the sandboxed preload (CommonJS) into dist/electron. */
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: false,
  logLevel: 'warning',
} as const;

await build({
  ...common,
  entryPoints: ['electron/main.ts'],
  outfile: 'dist/electron/main.mjs',
  format: 'esm',
  packages: 'external',
});
// The embedded demo (IdP + broker) is its own file, imported by main only with `--demo`, so a
// normal start never loads it or oidc-provider.
await build({
  ...common,
  entryPoints: ['demo/demo-setup.ts'],
  outfile: 'dist/electron/demo.mjs',
  format: 'esm',
  packages: 'external',
});
// A sandboxed preload cannot require() our files: everything but `electron` is inlined.
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  format: 'cjs',
  external: ['electron'],
});
