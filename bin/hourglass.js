#!/usr/bin/env node
// Runs the `hourglass` CLI from any working directory. Uses the esbuild bundles in dist/cli when
// they are newer than every source they were built from (dist/cli/sources.json, written with them:
// a few stats, no tree walk); otherwise runs the TypeScript sources through tsx, so an edited
// checkout never runs stale code. `env`, `credential-process`, `kube-credential` and `status` try
// the lean fast path first (HOURGLASS_FAST_PATH=0 turns it off).
// CommonJS on purpose (bin/package.json): a CommonJS entry and `require` of the fast path's
// bundle start measurably sooner than ES modules, and credential helpers run before every
// kubectl / aws command. The full CLI is an ES module, loaded with import().
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const dist = join(root, 'dist', 'cli');
const FAST = ['env', 'credential-process', 'kube-credential', 'status'];

/**
 * Whether dist/cli/`bundle` is newer than each source it was built from. The list must be as new
 * as the bundle: a bundle rebuilt by another script (build/bundle-broker.mjs) may have sources the
 * list does not name, so it counts as stale until `build/bundle-cli.ts` writes both again.
 */
function isFresh(bundle) {
  try {
    const built = statSync(join(dist, bundle)).mtimeMs;
    const list = join(dist, 'sources.json');
    if (statSync(list).mtimeMs < built) return false;
    const sources = JSON.parse(readFileSync(list, 'utf8'))[bundle];
    return (
      Array.isArray(sources) &&
      sources.length > 0 &&
      sources.every((file) => statSync(join(root, file)).mtimeMs <= built)
    );
  } catch {
    return false;
  }
}

/** The full CLI: the bundle when fresh, else the TypeScript sources through tsx. */
async function fullCli() {
  const bundle = pathToFileURL(join(dist, 'main.mjs')).href;
  if (isFresh('main.mjs')) return import(bundle);
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    // A production install (no dev dependencies, no sources.json): the bundle is all there is.
    if (existsSync(join(dist, 'main.mjs'))) return import(bundle);
    process.stderr.write(
      'hourglass: no CLI bundle in dist/cli and no tsx; run `npm run build:cli`\n',
    );
    process.exit(1);
  }
  return import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
}

/** The fast path's answer: an exit code, or null when the full CLI must run. */
async function fastPath() {
  if (!FAST.includes(process.argv[2] ?? '') || process.env.HOURGLASS_FAST_PATH === '0') return null;
  if (!isFresh('fast-path.cjs')) return null;
  let loaded;
  try {
    loaded = require(join(dist, 'fast-path.cjs'));
  } catch {
    return null;
  }
  return loaded.fastPath(process.argv.slice(2), process.env, (t) => process.stdout.write(t));
}

void (async () => {
  const code = await fastPath();
  if (code === null) await (await fullCli()).main();
  else process.exitCode = code;
})();
