#!/usr/bin/env node
// Runs the `hourglass` CLI from any working directory. Uses the esbuild bundle in dist/cli when it
// is newer than every source it was built from (about half the start-up time); otherwise runs the
// TypeScript sources through tsx, so an edited checkout never runs stale code.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}dist/cli/main.mjs`;

function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    return ['cli', 'agent', 'protocol'].every((dir) => newestSourceMs(`${root}${dir}`) <= built);
  } catch {
    return false;
  }
}

/** The full CLI: the bundle when fresh, else the TypeScript sources through tsx. */
async function fullCli(fresh) {
  if (fresh) return import(bundle);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL('../cli/main.ts', import.meta.url).href);
}

/** Whether the fast path's bundle is newer than its two sources (it imports nothing else of ours). */
function fastPathIsFresh() {
  try {
    const built = statSync(`${root}dist/cli/fast-path.mjs`).mtimeMs;
    return ['cli/fast-path.ts', 'cli/helper-format.ts'].every(
      (file) => statSync(`${root}${file}`).mtimeMs <= built,
    );
  } catch {
    return false;
  }
}

/** Credential helpers run before every kubectl / aws command: one agent call, nothing else loaded. */
async function helperFastPath() {
  if (!['env', 'credential-process', 'kube-credential'].includes(process.argv[2] ?? ''))
    return null;
  if (!fastPathIsFresh()) return null;
  const loaded = await import(`${root}dist/cli/fast-path.mjs`).catch(() => null);
  if (!loaded) return null;
  return loaded.fastPath(process.argv.slice(2), process.env, (t) => process.stdout.write(t));
}

const code = await helperFastPath();
if (code === null) await (await fullCli(bundleIsFresh())).main();
else process.exitCode = code;
