/** The Electron shell, where an Electron runtime exists: the window shows the renderer. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';
import { rendererMethods, type RendererApi } from '../protocol/agent-api.ts';
import { startDemoStack } from '../demo/stack.ts';
import { appEnvFor } from '../electron/harness/scenario.ts';

/** Path of the Electron binary, or null when `require('electron')` cannot resolve one. */
function electronBinary(): string | null {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

/** `env` without its unset names: Electron's launch takes string values only. */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

test('the tray app window shows the renderer', async () => {
  test.skip(
    binary === null,
    'Electron runtime unavailable: the binary download is blocked on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD)',
  );
  execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'build/bundle-electron.ts'], {
    stdio: 'inherit',
  });
  const root = mkdtempSync(join(tmpdir(), 'hg-e2e-electron-'));
  const stack = await startDemoStack({ dataDir: join(root, 'stack') });
  const app = await electron.launch({
    executablePath: binary!,
    // Launch the app folder (package.json main) so app.getAppPath() is the project root.
    args: ['.'],
    // The same app environment as the main-process harness (data dirs under `root`).
    env: definedOnly({ ...process.env, ...appEnvFor(stack, root) }),
  });
  try {
    const win = await app.firstWindow();
    await expect(win.getByRole('heading', { name: 'Hourglass' })).toBeVisible();
    await expect(win.getByTestId('demo-badge')).toHaveText('DEMO');
    const keys = await win.evaluate(() =>
      Object.keys((window as { hourglass?: RendererApi }).hourglass ?? {}).sort(),
    );
    expect(keys).toEqual([...rendererMethods, 'getSettings', 'updateSettings', 'onPush'].sort());
  } finally {
    await app.close();
    await stack.close();
    rmSync(root, { recursive: true, force: true });
  }
});
