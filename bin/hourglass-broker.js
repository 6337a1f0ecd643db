#!/usr/bin/env node
// Runs the broker. A production install (`npm run build:broker`, then `npm ci --omit=dev`) runs
// the compiled bundle in dist/broker on plain Node. In a checkout the TypeScript sources run
// through tsx whenever they are newer than the bundle, so an edited checkout never runs stale code.
// Written to run as CommonJS (bin/package.json, chosen for the CLI's start-up) and as an ES module
// alike (a copy without bin/package.json, as in the Docker image): dynamic imports only.
void (async () => {
  const { existsSync, readdirSync, realpathSync, statSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const root = join(dirname(realpathSync(process.argv[1] ?? '.')), '..');
  const bundle = join(root, 'dist', 'broker', 'main.mjs');

  const newestSourceMs = (dir) => {
    if (!existsSync(dir)) return 0;
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
    return newest;
  };

  const bundleIsFresh = () => {
    if (!existsSync(bundle)) return false;
    const built = statSync(bundle).mtimeMs;
    return ['broker', 'protocol'].every((dir) => newestSourceMs(join(root, dir)) <= built);
  };

  const load = async () => {
    if (bundleIsFresh()) return import(pathToFileURL(bundle).href);
    try {
      const { register } = await import('tsx/esm/api');
      register();
    } catch {
      if (existsSync(bundle)) return import(pathToFileURL(bundle).href);
      process.stderr.write(
        'hourglass-broker: no compiled broker in dist/broker and no tsx to run the sources; run `npm run build:broker` with the dev dependencies installed\n',
      );
      process.exit(1);
    }
    return import(pathToFileURL(join(root, 'broker', 'main.ts')).href);
  };

  const { brokerProgram } = await load();
  await brokerProgram().parseAsync(process.argv);
})();
