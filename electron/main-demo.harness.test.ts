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

  it('a second instance hands over and quits without a tray or an agent', async () => {
    const second = startAppUnderTest(
      {
        HOURGLASS_HOME: join(root, 'second'),
        HOURGLASS_STANDIN_USER_DATA: join(root, 'second'),
        HOURGLASS_STANDIN_SECOND_INSTANCE: '1',
      },
      ['hourglass://request?role=db'],
    );
    expect(await second.stop()).toBe(0);
    const ops = second.records.map((r) => `${r.kind}:${'op' in r ? r.op : ''}`);
    expect(ops.slice(0, 4)).toEqual([
      'protocol:registerPrivileged',
      'app:requestSingleInstanceLock',
      'app:quit',
      'app:exit',
    ]);
    expect(ops.filter((op) => !op.startsWith('app:'))).toEqual(['protocol:registerPrivileged']);
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
      ['--demo', 'hourglass://request?role=prod-api-readonly&for=15m'],
    );
    await app.waitFor('the demo tray', () =>
      menuLabels(app?.menu() ?? []).find((l) => l === 'Not signed in (DEMO)'),
    );
    // A link on the first command line opens the pre-filled request window.
    await app.waitFor('the request window from argv', () =>
      app?.records.find(
        (r) =>
          r.kind === 'window' &&
          r.op === 'load' &&
          r.url === 'app://hourglass/index.html#request=prod-api-readonly&for=900s',
      ),
    );
    const resolved = readFileSync(resolveLog, 'utf8');
    expect(resolved).toMatch(/\/demo\/demo-setup\.ts/);
    expect(resolved).toMatch(/oidc-provider/);
    await app.command({ cmd: 'click-menu', path: ['Quit Hourglass'] });
    expect(await app.stop()).toBe(0);
  });
});
