/** Bundles the CLI (and the headless agent it runs) into dist/cli/main.mjs: start-up without tsx. */
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli/main.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Dependencies load from node_modules as usual; only our TypeScript is bundled.
  packages: 'external',
  logLevel: 'warning',
});

// The credential helpers' fast path (cli/fast-path.ts): no dependency, loaded alone.
await build({
  entryPoints: ['cli/fast-path.ts'],
  outfile: 'dist/cli/fast-path.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
