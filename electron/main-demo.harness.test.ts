/**
 * `--demo` (what `npm start` passes): the app loads the embedded demo IdP + broker by dynamic
 * import, shows DEMO in the tray, and stops the demo at quit. A normal start loads neither (the
 * other harness test checks the resolve log stays empty).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { menuLabels, startAppUnderTest, type AppUnderTest } from './harness/app-driver.ts';

describe('the app with --demo', () => {
  const root = mkdtempSync(join(tmpdir(), 'hg-demo-app-'));
  let app: AppUnderTest | undefined;

  afterAll(async () => {
    await app?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('loads the demo only then, runs on it, and stops it at quit', async () => {
    mkdirSync(join(root, 'user-data'));
    const resolveLog = join(root, 'resolved.log');
    app = startAppUnderTest(
      {
        HOME: root,
        XDG_STATE_HOME: join(root, 'state'),
        HOURGLASS_HOME: join(root, 'agent'),
        HOURGLASS_STANDIN_USER_DATA: join(root, 'user-data'),
        HOURGLASS_STANDIN_RESOLVE_LOG: resolveLog,
      },
      ['--demo'],
    );
    await app.waitFor('the demo tray', () =>
      menuLabels(app?.menu() ?? []).find((l) => l === 'Not signed in (DEMO)'),
    );
    const resolved = readFileSync(resolveLog, 'utf8');
    expect(resolved).toMatch(/\/demo\/demo-setup\.ts/);
    expect(resolved).toMatch(/oidc-provider/);
    await app.command({ cmd: 'click-menu', path: ['Quit Hourglass'] });
    expect(await app.stop()).toBe(0);
  });
});
