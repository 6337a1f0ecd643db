import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok, type AgentHandlers } from '../protocol/index.ts';
import { fakeRendererApi, aLocalGrant } from '../renderer/test-fixtures.ts';
import { demoModuleUrl, wantsDemo } from './app-config.ts';
import { watchPower } from './app-power.ts';
import { createLaunchQueue, type Launch } from './launch-queue.ts';
import { withRequestMemory } from './request-memory.ts';
import { applyLaunchAtLogin, autostartEntry, autostartPath } from './login-item.ts';
import { appSettingsSchema, rememberRequest } from './settings.ts';

describe('the demo stays out of a normal start', () => {
  it('no file in electron/ imports demo/ statically', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('harness/'),
    );
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from\s+['"][^'"]*\/demo\//);
      expect(text, file).not.toMatch(/import\(\s*['"][^'"]*\/demo\//);
    }
  });

  it('loads the demo module only with --demo, from source or next to the bundle', () => {
    expect(wantsDemo(['electron', '.'])).toBe(false);
    expect(wantsDemo(['electron', '.', '--demo'])).toBe(true);
    expect(demoModuleUrl('file:///app/electron/app-config.ts')).toBe(
      'file:///app/demo/demo-setup.ts',
    );
    expect(demoModuleUrl('file:///app/dist/electron/main.mjs')).toBe(
      'file:///app/dist/electron/demo.mjs',
    );
  });
});

describe('launch queue', () => {
  it('holds launches until handled, then passes them straight on', () => {
    const queue = createLaunchQueue();
    const seen: Launch[] = [];
    queue.push('hourglass://request?role=a');
    queue.push(null);
    queue.handle((l) => seen.push(l));
    queue.push('hourglass://request?role=b');
    expect(seen).toEqual(['hourglass://request?role=a', null, 'hourglass://request?role=b']);
  });
});

describe('request memory', () => {
  it('remembers what was asked after an accepted request only', async () => {
    const remembered: unknown[] = [];
    let accept = true;
    const base = fakeRendererApi({
      requestGrant: () =>
        Promise.resolve(
          accept
            ? ok({ grant: aLocalGrant() })
            : { ok: false as const, error: { code: 'forbidden' as const, message: 'no' } },
        ),
    }) as AgentHandlers;
    const handlers = withRequestMemory(base, (role, request) => remembered.push({ role, request }));
    await handlers.requestGrant({
      role: 'db',
      durationSeconds: 900,
      reason: 'INC-1',
      ticket: 'T-1',
    });
    accept = false;
    await handlers.requestGrant({ role: 'db', durationSeconds: 60, reason: 'other' });
    expect(remembered).toEqual([
      { role: 'db', request: { durationSeconds: 900, reason: 'INC-1', ticket: 'T-1' } },
    ]);
  });
});

describe('settings', () => {
  it('remembers the last request per role', () => {
    const next = rememberRequest(appSettingsSchema.parse({}), 'db', {
      durationSeconds: 900,
      reason: 'INC-1',
    });
    expect(next.lastRequests).toEqual({ db: { durationSeconds: 900, reason: 'INC-1' } });
  });
});

describe('power events', () => {
  function setup(wipeOnLock: boolean) {
    const power = new EventEmitter();
    const calls: string[] = [];
    const handlers = {
      recheck: () => {
        calls.push('recheck');
        return Promise.resolve(ok({ wiped: 0 }));
      },
      logout: () => {
        calls.push('logout');
        return Promise.resolve(ok({ wiped: 1, grantsEnded: 0, endSessionUrl: null }));
      },
    };
    const stop = watchPower(power, handlers, () => wipeOnLock);
    return { power, calls, stop };
  }

  it('resume and unlock recheck; lock wipes only when set; stop removes the listeners', () => {
    const off = setup(false);
    off.power.emit('resume');
    off.power.emit('unlock-screen');
    off.power.emit('lock-screen');
    expect(off.calls).toEqual(['recheck', 'recheck']);
    const on = setup(true);
    on.power.emit('lock-screen');
    expect(on.calls).toEqual(['logout']);
    on.stop();
    on.power.emit('resume');
    expect(on.calls).toEqual(['logout']);
  });
});

describe('launch at login', () => {
  it('Linux: writes and removes the XDG autostart entry; elsewhere uses login items', () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-autostart-'));
    const calls: unknown[] = [];
    const ports = (platform: NodeJS.Platform) => ({
      platform,
      env: { XDG_CONFIG_HOME: root },
      execPath: '/opt/Hourglass/hourglass',
      args: ['/home/a b/app'],
      setLoginItemSettings: (s: { openAtLogin: boolean }) => calls.push(s),
    });
    applyLaunchAtLogin(true, ports('linux'));
    const entry = readFileSync(autostartPath({ XDG_CONFIG_HOME: root }), 'utf8');
    expect(entry).toContain('Exec="/opt/Hourglass/hourglass" "/home/a b/app"');
    applyLaunchAtLogin(false, ports('linux'));
    expect(existsSync(autostartPath({ XDG_CONFIG_HOME: root }))).toBe(false);
    applyLaunchAtLogin(true, ports('darwin'));
    expect(calls).toEqual([{ openAtLogin: true }]);
    expect(autostartEntry('/x', ['$(id)'])).toContain('Exec="/x" "\\$(id)"');
    rmSync(root, { recursive: true, force: true });
  });
});
