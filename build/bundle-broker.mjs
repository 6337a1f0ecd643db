// Production build of the broker and the CLI: esbuild bundles our TypeScript into
// dist/broker/main.mjs and dist/cli/main.mjs; dependencies stay external and load from
// node_modules, so after `npm ci --omit=dev` they run on plain Node (no tsx). Plain JS on purpose:
// it runs before any TypeScript loader exists. `--outdir DIR` builds elsewhere than dist/ (the
// production-install test builds into its own directory, never over the bundles other tests run).
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
};

const at = process.argv.indexOf('--outdir');
const out = at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'dist';

const [, cli] = await Promise.all([
  build({ ...common, entryPoints: ['broker/main.ts'], outfile: `${out}/broker/main.mjs` }),
  build({
    ...common,
    entryPoints: ['cli/main.ts'],
    outfile: `${out}/cli/main.mjs`,
    metafile: true,
  }),
]);

// bin/hourglass.js trusts dist/cli/main.mjs only with the list of its sources, written after it.
const listPath = `${out}/cli/sources.json`;
let list = {};
try {
  list = JSON.parse(readFileSync(listPath, 'utf8'));
} catch {
  // none yet: this build's entry alone
}
list['main.mjs'] = Object.keys(cli.metafile.inputs).filter((p) => !p.includes('node_modules/'));
writeFileSync(listPath, `${JSON.stringify(list)}\n`);
