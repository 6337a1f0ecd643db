/**
 * The app with no reachable keychain (no D-Bus session bus): it starts anyway, and the tray and the
 * window's banner say what doctor's keychain probe found, with the fix; the tray icon shows error.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import {
  menuLabels,
  menuText,
  startAppUnderTest,
  type AppUnderTest,
} from './harness/app-driver.ts';
import { appEnvFor } from './harness/scenario.ts';

describe('the app when the keychain cannot be reached', () => {
  let stack: DemoStack;
  let app: AppUnderTest;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hg-keychain-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    mkdirSync(join(root, 'user-data'));
    app = startAppUnderTest({
      ...appEnvFor(stack, root),
      // A bus address nobody listens on: the Secret Service is unreachable.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(root, 'no-bus')}`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the problem in the tray (error icon) and hands the banner the fix', async () => {
    const label = await app.waitFor('the keychain label', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Keychain problem:')),
    );
    process.stdout.write(`\n── tray menu, keychain unreachable ──\n${menuText(app.menu())}\n`);
    expect(label.length).toBeGreaterThan('Keychain problem: '.length);
    expect(app.records).toContainEqual({
      kind: 'tray',
      op: 'image',
      file: 'tray-error.png',
      exists: true,
    });
    const health = await app.command({
      cmd: 'ipc-invoke',
      channel: 'hourglass-app:getKeychainHealth',
      senderUrl: 'app://hourglass/index.html',
      subframe: false,
      input: {},
    });
    expect(health).toMatchObject({ ok: true, value: { status: 'fail', fix: expect.any(String) } });
  });
});
