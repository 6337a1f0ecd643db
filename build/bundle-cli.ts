/**
 * Bundles the CLI (and the headless agent it runs) into dist/cli/main.mjs: start-up without tsx.
 * Also the fast path (cli/fast-path.ts) alone, and dist/cli/sources.json naming every source each
 * bundle was built from, so bin/hourglass.js checks freshness with a few stats and no tree walk.
 */
import { writeFileSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  metafile: true,
};

/** Our own sources in a build (dependencies excluded). */
function ownSources(inputs: Record<string, unknown> | undefined): string[] {
  return Object.keys(inputs ?? {}).filter((path) => !path.includes('node_modules/'));
}

// Dependencies load from node_modules as usual; only our TypeScript is bundled.
const main = await build({
  ...common,
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli/main.mjs',
  packages: 'external',
});

// The fast path: no dependency and no zod, loaded alone; CommonJS, `require`d by bin/hourglass.js
// (sooner than an ES module import).
const fast = await build({
  ...common,
  entryPoints: ['cli/fast-path.ts'],
  outfile: 'dist/cli/fast-path.cjs',
  format: 'cjs',
  minify: true,
});

writeFileSync(
  'dist/cli/sources.json',
  `${JSON.stringify({
    'main.mjs': ownSources(main.metafile?.inputs),
    'fast-path.cjs': ownSources(fast.metafile?.inputs),
  })}\n`,
);
