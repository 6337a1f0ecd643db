import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadlineEvent } from './deadline-scheduler.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import { createGrantSecrets } from './grant-secrets.ts';
import { legacyAccount } from './grant-secrets-layout.ts';
import type { GrantStore } from './grant-store.ts';
import { openGrantStore } from './grant-store.ts';
import { createKeychainVault } from './keychain.vault.ts';
import { recordFixture } from './test-support.ts';

// Real gnome-keyring (private D-Bus session), an injected clock: each step is a rearm at a chosen
// instant, so nothing here waits on a timer.
const T0 = Date.parse('2031-05-01T10:00:00.000Z');

function setup() {
  const vault = createKeychainVault(`hourglass-test-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'hg-sched-'));
  const store = openGrantStore(dir);
  const clock = { t: T0, now: () => clock.t };
  const events: DeadlineEvent[] = [];
  const secretsFor = (s: GrantStore) =>
    createGrantSecrets({
      vault,
      brokerNow: () => clock.now() + s.offsetMs(),
      keep: (id) => s.get(id)?.wipedAt === null,
    });
  const secrets = secretsFor(store);
  /** Holds grants expiring `inMs` after T0 (broker time), their secrets in the keychain. */
  const hold = async (ids: string | string[], inMs: number) => {
    const expiresAt = new Date(T0 + inMs).toISOString();
    const all = typeof ids === 'string' ? [ids] : ids;
    store.upsertMany(all.map((id) => recordFixture({ id, expiresAt })));
    const put = await secrets.putMany(
      all.map((id) => ({ grantId: id, expiresAt, secret: `canary-secret-${id}` })),
    );
    if (!put.ok) throw new Error(put.error.message);
  };
  const start = (warnBeforeSeconds: number[] = []) =>
    startDeadlineScheduler({
      store,
      secrets: secretsFor(store),
      clock,
      warnBeforeSeconds,
      onEvent: (e) => events.push(e),
      maxSleepMs: 60_000,
    });
  const read = async (id: string) => {
    const got = await secretsFor(store).read(id);
    return got.ok ? got.value : `keychain error: ${got.error.code}`;
  };
  return { vault, dir, store, clock, events, hold, start, read };
}

describe('deadline scheduler', () => {
  it('on start, wipes grants that expired while the agent was down', async () => {
    const s = setup();
    await s.hold('down', 10_000);
    await s.hold('alive', 70_000);
    s.clock.t = T0 + 30_000;
    const scheduler = await s.start();
    scheduler.stop();
    expect(await s.read('down')).toBeNull();
    expect(s.store.get('down')).toMatchObject({
      credentialStored: false,
      wipedAt: new Date(T0 + 30_000).toISOString(),
      receipt: { trigger: 'deadline', items: ['keychain'] },
    });
    expect(await s.read('alive')).toBe('canary-secret-alive');
    expect(s.events).toEqual([
      { kind: 'grantWiped', grantId: 'down', role: 'prod-api-readonly', trigger: 'deadline' },
    ]);
  });

  it('warns before and wipes when the deadline second begins, honouring the clock offset', async () => {
    const s = setup();
    const scheduler = await s.start([1]);
    // The broker clock runs 10 s ahead: its deadline T0+12.5 s is T0+2.5 s here; the bucket
    // (second T0+12 s) goes at T0+2 s local: never late, less than a second early.
    s.store.setOffsetMs(10_000);
    await s.hold('soon', 12_500);
    // The warning is on the true deadline (the notification planner counts from it too).
    s.clock.t = T0 + 1_499;
    await scheduler.rearm();
    expect(s.events).toEqual([]);
    s.clock.t = T0 + 1_500;
    await scheduler.rearm();
    expect(s.events).toEqual([
      { kind: 'grantExpiring', grantId: 'soon', role: 'prod-api-readonly', secondsLeft: 1 },
    ]);
    s.clock.t = T0 + 1_999;
    await scheduler.rearm();
    expect(await s.read('soon')).toBe('canary-secret-soon');
    s.clock.t = T0 + 2_000;
    await scheduler.rearm();
    scheduler.stop();
    expect(await s.read('soon')).toBeNull();
    expect(s.events.map((e) => e.kind)).toEqual(['grantExpiring', 'grantWiped']);
    expect(s.store.get('soon')?.wipedAt).toBe(new Date(T0 + 12_000).toISOString());
  });

  it('wipes a deadline shared by many grants; an early wipe of one leaves the others', async () => {
    const s = setup();
    const ids = Array.from({ length: 70 }, (_, i) => `many-${i}`);
    await s.hold(ids, 5_000);
    const scheduler = await s.start();
    expect(await scheduler.wipe('many-3', 'revoked')).toBe(true);
    expect(await s.read('many-3')).toBeNull();
    expect(await s.read('many-4')).toBe('canary-secret-many-4');
    s.clock.t = T0 + 5_000;
    await scheduler.rearm();
    scheduler.stop();
    for (const id of ids) expect(s.store.get(id)?.wipedAt).not.toBeNull();
    expect(s.events.filter((e) => e.kind === 'grantWiped')).toHaveLength(70);
    expect(await s.vault.accounts()).toEqual({ ok: true, value: [] });
  });

  it('on start, wipes keychain items of grants the store does not know, and nothing else', async () => {
    const s = setup();
    await s.hold('known', 60_000);
    await s.vault.store(legacyAccount('orphan'), 'canary-secret-7');
    await s.vault.store('session', 'canary-session');
    const scheduler = await s.start();
    scheduler.stop();
    expect(await s.vault.read(legacyAccount('orphan'))).toEqual({ ok: true, value: null });
    expect(await s.read('known')).toBe('canary-secret-known');
    expect(await s.vault.read('session')).toEqual({ ok: true, value: 'canary-session' });
    await s.vault.remove('session');
  });

  it('keeps wiping after a failed run: the store cannot be written at the deadline, then can', async () => {
    const s = setup();
    await s.hold('stuck', 1_700);
    const scheduler = await s.start();
    // A directory where the store writes its temp file: the write fails (EISDIR), even as root.
    const blocker = join(s.dir, `grants.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    s.clock.t = T0 + 2_000;
    await scheduler.rearm();
    // The secret is gone already; only the bookkeeping failed.
    expect(await s.read('stuck')).toBeNull();
    expect(s.store.get('stuck')?.wipedAt).toBeNull();
    rmdirSync(blocker);
    await scheduler.rearm();
    scheduler.stop();
    expect(s.store.get('stuck')).toMatchObject({
      credentialStored: false,
      wipedAt: expect.any(String),
    });
  });
});
