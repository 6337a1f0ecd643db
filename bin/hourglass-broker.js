#!/usr/bin/env node
// Runs the broker. A production install (`npm run build:broker`, then `npm ci --omit=dev`) runs
// the compiled bundle in dist/broker on plain Node. In a checkout the TypeScript sources run
// through tsx whenever they are newer than the bundle, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}dist/broker/main.mjs`;

function newestSourceMs(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ['broker', 'protocol'].every((dir) => newestSourceMs(`${root}${dir}`) <= built);
}

async function load() {
  if (bundleIsFresh()) return import(bundle);
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    if (existsSync(bundle)) return import(bundle);
    process.stderr.write(
      'hourglass-broker: no compiled broker in dist/broker and no tsx to run the sources; run `npm run build:broker` with the dev dependencies installed\n',
    );
    process.exit(1);
  }
  return import('../broker/main.ts');
}

const { brokerProgram } = await load();
await brokerProgram().parseAsync(process.argv);
