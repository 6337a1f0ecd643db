/**
 * `npm run dist`: builds the renderer and main, then packages with electron-builder (fuses
 * flipped after packing). Where the Electron runtime cannot be had, stops with one line saying so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterPack } from './after-pack.ts';
import { electronBuilderConfig } from './electron-builder.config.ts';

/** Why packaging cannot run here, or null when it can. */
export function distBlocker(): string | null {
  try {
    const binary: unknown = createRequire(import.meta.url)('electron');
    if (typeof binary === 'string' && existsSync(binary)) return null;
  } catch {
    // `require('electron')` throws when its postinstall download did not happen.
  }
  return 'the Electron runtime is not installed (its download is blocked on this machine), so electron-builder has nothing to pack; run `npm run dist` where `node node_modules/electron/install.js` succeeds';
}

async function main(): Promise<void> {
  const blocker = distBlocker();
  if (blocker) {
    process.stderr.write(`hourglass dist: ${blocker}\n`);
    process.exit(1);
  }
  const tsx = ['node_modules/tsx/dist/cli.mjs'];
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts'],
    { stdio: 'inherit' },
  );
  execFileSync(process.execPath, [...tsx, 'build/bundle-electron.ts'], { stdio: 'inherit' });
  const { build } = await import('electron-builder');
  await build({ config: { ...electronBuilderConfig, afterPack } });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
