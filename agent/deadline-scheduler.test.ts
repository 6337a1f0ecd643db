import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.ts';
import type { DeadlineEvent } from './deadline-scheduler.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import { openGrantStore } from './grant-store.ts';
import { createKeychainVault, grantAccount } from './keychain.vault.ts';
import { recordFixture } from './test-support.ts';

// Real gnome-keyring (private D-Bus session), real timers, the system clock.
const vault = createKeychainVault(`hourglass-test-${randomUUID().slice(0, 8)}`);
const record = (id: string, expiresInMs: number) =>
  recordFixture({ id, expiresAt: new Date(Date.now() + expiresInMs).toISOString() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline scheduler', () => {
  it('on start, wipes grants that expired while the agent was down', async () => {
    const store = openGrantStore(mkdtempSync(join(tmpdir(), 'hg-sched-')));
    store.upsert(record('down', -60_000));
    store.upsert(record('alive', 60_000));
    await vault.store(grantAccount('down'), 'canary-secret-4');
    await vault.store(grantAccount('alive'), 'canary-secret-5');
    const events: DeadlineEvent[] = [];
    const scheduler = await startDeadlineScheduler({
      store,
      vault,
      clock: systemClock,
      warnBeforeSeconds: [],
      onEvent: (e) => events.push(e),
    });
    scheduler.stop();
    expect(await vault.read(grantAccount('down'))).toEqual({ ok: true, value: null });
    expect(store.get('down')).toMatchObject({
      credentialStored: false,
      wipedAt: expect.any(String),
    });
    expect(await vault.read(grantAccount('alive'))).toEqual({ ok: true, value: 'canary-secret-5' });
    expect(events).toEqual([
      { kind: 'grantWiped', grantId: 'down', role: 'prod-api-readonly', trigger: 'deadline' },
    ]);
    expect(store.get('down')?.receipt).toMatchObject({ trigger: 'deadline', items: ['keychain'] });
    await vault.remove(grantAccount('alive'));
  });

  it('warns before and wipes at a deadline armed after start, honouring the clock offset', async () => {
    const store = openGrantStore(mkdtempSync(join(tmpdir(), 'hg-sched-')));
    const events: DeadlineEvent[] = [];
    const scheduler = await startDeadlineScheduler({
      store,
      vault,
      clock: systemClock,
      warnBeforeSeconds: [1],
      onEvent: (e) => events.push(e),
    });
    // The broker clock runs 10 s ahead: its expiresAt 11.5 s away is 1.5 s away locally.
    store.setOffsetMs(10_000);
    store.upsert(record('soon', 11_500));
    await vault.store(grantAccount('soon'), 'canary-secret-6');
    await scheduler.rearm();
    await sleep(900);
    expect(events.map((e) => e.kind)).toEqual(['grantExpiring']);
    expect(await vault.read(grantAccount('soon'))).toEqual({ ok: true, value: 'canary-secret-6' });
    await sleep(1100);
    scheduler.stop();
    expect(await vault.read(grantAccount('soon'))).toEqual({ ok: true, value: null });
    expect(events.map((e) => e.kind)).toEqual(['grantExpiring', 'grantWiped']);
    expect(store.get('soon')?.wipedAt).not.toBeNull();
  });

  it('on start, wipes keychain items of grants the store does not know, and nothing else', async () => {
    const store = openGrantStore(mkdtempSync(join(tmpdir(), 'hg-sched-')));
    store.upsert(record('known', 60_000));
    await vault.store(grantAccount('known'), 'canary-secret-6');
    await vault.store(grantAccount('orphan'), 'canary-secret-7');
    await vault.store('session', 'canary-session');
    const scheduler = await startDeadlineScheduler({
      store,
      vault,
      clock: systemClock,
      warnBeforeSeconds: [],
    });
    scheduler.stop();
    expect(await vault.read(grantAccount('orphan'))).toEqual({ ok: true, value: null });
    expect(await vault.read(grantAccount('known'))).toEqual({ ok: true, value: 'canary-secret-6' });
    expect(await vault.read('session')).toEqual({ ok: true, value: 'canary-session' });
    await vault.remove(grantAccount('known'));
    await vault.remove('session');
  });

  it('keeps wiping after a failed run: the store cannot be written at the deadline, then can', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-sched-'));
    const store = openGrantStore(dir);
    store.upsert(record('stuck', 700));
    await vault.store(grantAccount('stuck'), 'canary-secret-8');
    const scheduler = await startDeadlineScheduler({
      store,
      vault,
      clock: systemClock,
      warnBeforeSeconds: [],
    });
    // A directory where the store writes its temp file: the write fails (EISDIR), even as root.
    const blocker = join(dir, `grants.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    await sleep(1200);
    // The secret is gone already; only the bookkeeping failed.
    expect(await vault.read(grantAccount('stuck'))).toEqual({ ok: true, value: null });
    expect(store.get('stuck')?.wipedAt).toBeNull();
    rmdirSync(blocker);
    await sleep(1500);
    scheduler.stop();
    expect(store.get('stuck')).toMatchObject({
      credentialStored: false,
      wipedAt: expect.any(String),
    });
  });
});
