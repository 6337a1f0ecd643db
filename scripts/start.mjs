#!/usr/bin/env node
// `npm start`: installs what is missing, then starts Hourglass on its embedded demo
// (IdP + broker + app). Opens the tray app where the Electron runtime loads; otherwise says why in
// one line and serves the same renderer as a local console. Plain Node, no dependencies: it runs
// before `npm ci` has.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status;

/**
 * Native addons (better-sqlite3) build against Node's headers; where the distribution ships them
 * and npm has no nodedir set, point node-gyp there instead of downloading them.
 */
function npmEnv() {
  const env = { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const hasNodedir = process.env.npm_config_nodedir || process.env.NPM_CONFIG_NODEDIR;
  if (!hasNodedir && existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  return env;
}

function installIfNeeded() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('hourglass: installing dependencies (npm ci)…');
  if (run('npm', ['ci', '--no-audit', '--no-fund'], npmEnv()) !== 0) {
    console.error('hourglass: npm ci failed; see the output above');
    process.exit(1);
  }
  // The desktop runtime is optional: try its download on its own and never fail on it.
  spawnSync(process.execPath, ['install.js'], {
    cwd: join(root, 'node_modules', 'electron'),
    stdio: 'ignore',
    timeout: 120_000,
  });
}

/** Why the Electron runtime cannot be used here, or null when it can. */
function electronUnavailableReason() {
  if (process.env.HOURGLASS_CONSOLE === '1') return 'HOURGLASS_CONSOLE=1 asks for the console';
  let binary;
  try {
    binary = createRequire(join(root, 'package.json'))('electron');
  } catch {
    // The electron package throws at require time when its binary was never downloaded.
    return existsSync(join(root, 'node_modules', 'electron', 'package.json'))
      ? 'the Electron binary was not downloaded (blocked or ELECTRON_SKIP_BINARY_DOWNLOAD)'
      : 'the electron package is not installed';
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return 'the Electron binary was not downloaded (blocked or ELECTRON_SKIP_BINARY_DOWNLOAD)';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)';
  }
  return null;
}

installIfNeeded();
if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  if (
    run('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error']) !==
    0
  ) {
    process.exit(1);
  }
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
// The bundled CLI starts in about half the time; bin/hourglass.js falls back to tsx when stale.
if (run(tsx, ['build/bundle-cli.ts']) !== 0) process.exit(1);

const reason = electronUnavailableReason();
let child;
if (reason === null) {
  if (
    run('npx', ['vite', 'build', '--config', 'electron/vite.config.ts', '--logLevel', 'error']) !==
    0
  ) {
    process.exit(1);
  }
  const electron = createRequire(join(root, 'package.json'))('electron');
  child = spawn(electron, [join(root, 'dist', 'electron', 'main.js'), '--demo'], {
    stdio: 'inherit',
  });
} else {
  console.log(`hourglass: desktop runtime unavailable: ${reason}; serving the console instead.`);
  child = spawn(tsx, [join(root, 'demo', 'start.ts')], { stdio: 'inherit', cwd: root });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
