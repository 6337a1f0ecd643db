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
