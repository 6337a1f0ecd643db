#!/usr/bin/env node
// Runs the `hourglass` CLI from any working directory. Uses the esbuild bundles in dist/cli when
// they are newer than every source they were built from (dist/cli/sources.json, written with them:
// a few stats, no tree walk); otherwise runs the TypeScript sources through tsx, so an edited
// checkout never runs stale code. `env`, `credential-process`, `kube-credential` and `status` try
// the lean fast path first (HOURGLASS_FAST_PATH=0 turns it off).
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/cli/`;
const FAST = ['env', 'credential-process', 'kube-credential', 'status'];

/** Whether dist/cli/`bundle` is newer than each source it was built from. */
function isFresh(bundle) {
  try {
    const built = statSync(`${dist}${bundle}`).mtimeMs;
    const sources = JSON.parse(readFileSync(`${dist}sources.json`, 'utf8'))[bundle];
    return (
      Array.isArray(sources) &&
      sources.length > 0 &&
      sources.every((file) => statSync(`${root}${file}`).mtimeMs <= built)
    );
  } catch {
    return false;
  }
}

/** The full CLI: the bundle when fresh, else the TypeScript sources through tsx. */
async function fullCli() {
  if (isFresh('main.mjs')) return import(`${dist}main.mjs`);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL('../cli/main.ts', import.meta.url).href);
}

/** The fast path's answer: an exit code, or null when the full CLI must run. */
async function fastPath() {
  if (!FAST.includes(process.argv[2] ?? '') || process.env.HOURGLASS_FAST_PATH === '0') return null;
  if (!isFresh('fast-path.mjs')) return null;
  const loaded = await import(`${dist}fast-path.mjs`).catch(() => null);
  if (!loaded) return null;
  return loaded.fastPath(process.argv.slice(2), process.env, (t) => process.stdout.write(t));
}

const code = await fastPath();
if (code === null) await (await fullCli()).main();
else process.exitCode = code;
