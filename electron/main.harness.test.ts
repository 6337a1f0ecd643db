/**
 * The real Electron main process (electron/main.ts and everything it imports), run under Node with
 * a recording stand-in for the `electron` module, against the real demo IdP + broker, the real
 * agent and gnome-keyring: sign in from the tray, a grant counts down in the menu, the warning
 * notification's Extend extends, a deep link opens the pre-filled request window, `resume`
 * rechecks, "I'm done" empties the menu. Recorded menus and notifications are printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import type { AgentSnapshot } from '../protocol/agent-api.ts';
import { menuText, startAppUnderTest, type AppUnderTest } from './harness/app-driver.ts';
import type { Recorded } from './harness/standin-protocol.ts';
import {
  appEnvFor,
  cliOnPath,
  fakeTerminal,
  pollUntil,
  print,
  writeSettings,
} from './harness/scenario.ts';

const APP = 'app://hourglass/index.html';

describe('main process under the harness, against the demo stack', () => {
  let stack: DemoStack;
  let app: AppUnderTest;
  let root: string;

  const invoke = (method: string, input: unknown, url = APP, subframe = false) =>
    app.invoke(`hourglass:${method}`, input, { url, subframe });
  const snapshot = async () => {
    const answer = (await invoke('getSnapshot', {})) as { ok: boolean; value: AgentSnapshot };
    if (!answer.ok) throw new Error('getSnapshot failed');
    return answer.value;
  };
  const recorded = <K extends Recorded['kind']>(kind: K) => app.recorded(kind);
  const loads = () => app.windowLoads();
  const hasLabel = (pattern: RegExp) => app.menuLabel(pattern);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hg-harness-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    const bin = fakeTerminal(root);
    // Persisted settings the app must read: a warning mark 2 s into a 15 min grant, and the
    // reason last used for prod-api-readonly (pre-fills the next request).
    writeSettings(root, {
      warnBeforeSeconds: [898],
      lastRequests: { 'prod-api-readonly': { durationSeconds: 900, reason: 'INC-7 last time' } },
    });
    app = startAppUnderTest({
      ...appEnvFor(stack, root),
      HOURGLASS_STANDIN_RESOLVE_LOG: join(root, 'resolved-demo-modules.log'),
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts signed out: tray, window, IPC, protocol, power and link registration', async () => {
    await app.waitFor('the signed-out menu', () => hasLabel(/^Not signed in \(DEMO\)$/));
    print('tray menu, signed out', menuText(app.menu()));
    const ops = recorded('app').map((r) => r.op);
    expect(ops).toContain('requestSingleInstanceLock');
    expect(recorded('app')).toContainEqual({
      kind: 'app',
      op: 'setAsDefaultProtocolClient',
      value: 'hourglass',
    });
    expect(recorded('protocol').map((r) => r.scheme)).toEqual(['app', 'app']);
    // Power listeners are registered last: wait for them rather than race the menu.
    await app.waitFor('the power listeners', () => recorded('power').length >= 3);
    expect(recorded('power').map((r) => r.event)).toEqual([
      'resume',
      'unlock-screen',
      'lock-screen',
    ]);
    expect(recorded('ipc').map((r) => r.channel)).toContain('hourglass:requestGrant');
    expect(recorded('ipc').map((r) => r.channel)).not.toContain('hourglass:exportGrant');
    await app.waitFor('the main window', () => loads().find((l) => l.url === APP));
    expect(recorded('tray')).toContainEqual({
      kind: 'tray',
      op: 'image',
      file: 'tray-signed-out.png',
      exists: true,
    });
    expect(app.log()).toContain('agent started in the app');
    // The banner's source: doctor's keychain probe, run by main at start.
    await pollUntil('the keychain probe', async () => {
      const health = await app.invoke('hourglass-app:getKeychainHealth', {});
      return (health as { value: { status?: string } | null }).value?.status === 'ok';
    });
  });

  it('refuses IPC from a subframe or another origin', async () => {
    const forged = await invoke('getSnapshot', {}, 'https://evil.example/index.html');
    const framed = await invoke('getSnapshot', {}, APP, true);
    expect(forged).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(framed).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await invoke('requestGrant', { role: 'x', durationSeconds: -1 })).toMatchObject({
      ok: false,
    });
  });

  it('signs in from the tray through the system browser', async () => {
    await app.command({ cmd: 'click-menu', path: ['Sign in…'] });
    const url = await app.waitFor('the sign-in page in the browser', () =>
      recorded('shell').find((r) => r.url.startsWith(stack.issuer)),
    );
    const { callbackUrl } = await completeIdpLogin(url.url, { login: 'alice', password: 'demo' });
    expect((await fetch(callbackUrl)).status).toBe(200);
    await app.waitFor('signed in', () => hasLabel(/^Signed in as Alice/));
    await app.waitFor('the roles', () => hasLabel(/^Request access$/));
    print('tray menu, signed in', menuText(app.menu()));
  });

  it('Request access ▸ preset opens the request window pre-filled from the last use', async () => {
    await app.command({
      cmd: 'click-menu',
      // Grouped by the role's tenant: the demo policy's is `demo`.
      path: ['Request access', 'demo', 'prod-api-readonly', '15m'],
    });
    const opened = await app.waitFor('the request window', () =>
      loads().find((l) => l.url.includes('#request=prod-api-readonly')),
    );
    expect(opened.url).toBe(`${APP}#request=prod-api-readonly&for=900s&reason=INC-7+last+time`);
    expect((await snapshot()).grants).toHaveLength(0);
  });

  it('a grant shows in the menu and the title with its countdown', async () => {
    const answer = await invoke('requestGrant', {
      role: 'prod-api-readonly',
      durationSeconds: 900,
      reason: 'INC-8 harness',
    });
    expect(answer).toMatchObject({ ok: true, value: { grant: { status: 'active' } } });
    await app.waitFor('the grant row', () => hasLabel(/^prod-api-readonly: 1[45]:\d\d left$/));
    // The title ticks (once a second, while something counts down): two distinct values seen.
    await app.waitFor('the countdown title ticking', () => {
      const titles = recorded('tray').flatMap((r) =>
        r.op === 'title' && /^1[45]:\d\d$/.test(r.value) ? [r.value] : [],
      );
      return new Set(titles).size >= 2;
    });
    expect(recorded('tray')).toContainEqual({
      kind: 'tray',
      op: 'image',
      file: 'tray-active.png',
      exists: true,
    });
    print('tray menu, one active grant', menuText(app.menu()));
  });

  it('the warning notification offers Extend, and Extend extends', async () => {
    const warning = await app.waitFor('the expiry warning', () =>
      recorded('notification').find((n) => n.title.startsWith('prod-api-readonly expires in')),
    );
    print('notification', JSON.stringify(warning, null, 2));
    expect(warning.actions).toEqual(['Extend +15m']);
    const before = (await snapshot()).grants[0];
    await app.command({ cmd: 'notification', titleStartsWith: warning.title, action: 0 });
    const extended = await pollSnapshot((s) => s.grants[0]?.extension.usedCount === 1);
    // A click on the notification itself (Linux, Windows) opens the window on that grant.
    await app.command({ cmd: 'notification', titleStartsWith: warning.title, action: 'click' });
    await app.waitFor('the window on the grant', () =>
      loads().find((l) => l.url === `${APP}#grant=${before?.id ?? '?'}`),
    );
    expect(Date.parse(extended.grants[0]?.expiresAt ?? '')).toBeGreaterThan(
      Date.parse(before?.expiresAt ?? ''),
    );
  });

  it('a deep link opens the pre-filled request window and submits nothing', async () => {
    const grants = (await snapshot()).grants.length;
    const link =
      'hourglass://request?role=prod-api-admin&for=30m&reason=INC-42%20deploy&ticket=INC-42';
    await app.command({
      cmd: 'app-event',
      event: 'second-instance',
      arg: ['/opt/Hourglass/hourglass', '--', link],
    });
    await app.waitFor('the pre-filled window', () =>
      loads().find(
        (l) =>
          l.url === `${APP}#request=prod-api-admin&for=1800s&reason=INC-42+deploy&ticket=INC-42`,
      ),
    );
    // macOS delivers links as open-url; a hostile one opens nothing and says why.
    const before = loads().length;
    await app.command({ cmd: 'app-event', event: 'open-url', arg: 'javascript:alert(1)' });
    await app.waitFor('the refusal', () =>
      recorded('notification').find((n) => n.title === 'Hourglass link not opened'),
    );
    expect(loads()).toHaveLength(before);
    expect((await snapshot()).grants).toHaveLength(grants);
  });

  it('resume makes the agent recheck', async () => {
    await app.command({ cmd: 'power', event: 'resume' });
    await app.waitFor('the recheck', () => app.log().includes('recheck after resume: 0 wiped'));
    await app.command({ cmd: 'power', event: 'unlock-screen' });
    await app.waitFor('the recheck', () => app.log().includes('recheck after unlock-screen'));
    // Wipe on lock is off by default: locking keeps the session.
    await app.command({ cmd: 'power', event: 'lock-screen' });
    expect((await snapshot()).status.loggedIn).toBe(true);
  });

  it('closing the window hides it to the tray', async () => {
    const main = recorded('window').find((r) => r.op === 'create');
    expect(await app.command({ cmd: 'close-window', windowId: main?.id ?? 0 })).toBe(false);
    expect(recorded('window')).toContainEqual({ kind: 'window', op: 'hide', id: main?.id });
  });

  it('copies the export command (never a secret)', async () => {
    await app.command({ cmd: 'click-menu', path: ['prod-api-readonly:', 'Copy export command'] });
    const copied = await app.waitFor('the clipboard', () => recorded('clipboard')[0]);
    expect(copied.text).toMatch(/^eval "\$\(hourglass env --shell bash prod-api-readonly\)"$/);
  });

  it('opens a terminal whose shell loads the credentials through the real CLI', async () => {
    await app.command({
      cmd: 'click-menu',
      path: ['prod-api-readonly:', 'Open terminal with credentials'],
    });
    const argvFile = join(root, 'terminal-argv');
    await pollUntil('the terminal', () => Promise.resolve(existsSync(argvFile)));
    const argv = readFileSync(argvFile, 'utf8').trimEnd().split('\n');
    expect(argv).toEqual([
      '-e',
      'bash',
      '-c',
      'eval "$(hourglass env --shell bash prod-api-readonly)"; exec bash',
    ]);
    // Run that shell line with the real CLI (instead of the interactive shell it then execs).
    const script = (argv[3] ?? '').replace('; exec bash', '; printf "%s" "$HOURGLASS_ROLE"');
    // `hourglass` on PATH, as an install puts it there.
    cliOnPath(join(root, 'bin'));
    const role = execFileSync('bash', ['-c', script], {
      env: {
        PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME,
        HOURGLASS_HOME: join(root, 'agent'),
      },
      encoding: 'utf8',
    });
    expect(role).toBe('prod-api-readonly');
  });

  it("I'm done ends the grant and empties the menu", async () => {
    await app.command({ cmd: 'click-menu', path: ['prod-api-readonly:', "I'm done"] });
    await app.waitFor('the empty menu', () => hasLabel(/^No active grants$/));
    expect(hasLabel(/^prod-api-readonly: /)).toBeUndefined();
    const titles = recorded('tray').filter((r) => r.op === 'title');
    expect(titles.at(-1)).toEqual({ kind: 'tray', op: 'title', value: '' });
    print('tray menu after "I\'m done"', menuText(app.menu()));
    print(
      'every notification',
      recorded('notification')
        .map((n) => `${n.title} — ${n.body}${n.actions.length ? ` [${n.actions.join(', ')}]` : ''}`)
        .join('\n'),
    );
  });

  it('settings from the window persist and apply: launch at login, wipe on lock', async () => {
    const answer = await app.invoke('hourglass-app:updateSettings', {
      launchAtLogin: true,
      wipeOnLock: true,
    });
    expect(answer).toMatchObject({ ok: true, value: { launchAtLogin: true, wipeOnLock: true } });
    // Linux has no login items: the XDG autostart entry appears.
    const entry = readFileSync(join(root, 'config', 'autostart', 'hourglass.desktop'), 'utf8');
    expect(entry).toContain(`Exec="${process.execPath}"`);
    const file = JSON.parse(readFileSync(join(root, 'user-data', 'settings.json'), 'utf8')) as {
      wipeOnLock?: boolean;
    };
    expect(file.wipeOnLock).toBe(true);
    await app.command({ cmd: 'power', event: 'lock-screen' });
    await app.waitFor('signed out on lock', () => hasLabel(/^Not signed in/));
    expect((await snapshot()).status.loggedIn).toBe(false);
  });

  it('Quit closes the agent and exits cleanly', async () => {
    await app.command({ cmd: 'click-menu', path: ['Quit Hourglass'] });
    expect(await app.stop()).toBe(0);
    expect(recorded('tray').at(-1)).toEqual({ kind: 'tray', op: 'destroy' });
    // A normal start never loaded the demo or oidc-provider (the resolve hook logs any).
    expect(existsSync(join(root, 'resolved-demo-modules.log'))).toBe(false);
  });

  async function pollSnapshot(done: (s: AgentSnapshot) => boolean): Promise<AgentSnapshot> {
    let current = await snapshot();
    await pollUntil('the snapshot', async () => done((current = await snapshot())));
    return current;
  }
});
