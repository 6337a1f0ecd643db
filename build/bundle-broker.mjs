// Production build of the broker and the CLI: esbuild bundles our TypeScript into
// dist/broker/main.mjs and dist/cli/main.mjs; dependencies stay external and load from
// node_modules, so after `npm ci --omit=dev` they run on plain Node (no tsx). Plain JS on purpose:
// it runs before any TypeScript loader exists.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['broker/main.ts'], outfile: 'dist/broker/main.mjs' }),
  build({ ...common, entryPoints: ['cli/main.ts'], outfile: 'dist/cli/main.mjs' }),
]);
