import { randomUUID } from 'node:crypto';
import { findCredentials } from '@napi-rs/keyring';
import { describe, expect, it } from 'vitest';
import type { Result } from '../protocol/index.ts';
import { fail } from '../protocol/index.ts';
import type { GrantSecrets } from './grant-secrets.ts';
import { createGrantSecrets } from './grant-secrets.ts';
import { bucketAccount, grantSecretsInItems, legacyAccount } from './grant-secrets-layout.ts';
import type { Vault } from './keychain.vault.ts';
import { createKeychainVault } from './keychain.vault.ts';

// Real gnome-keyring on the private D-Bus session; each test has its own keychain service.
const T0 = Date.parse('2031-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const second = (ms: number) => Math.floor((T0 + ms) / 1000);

function fixture(keep: (id: string) => boolean = () => true) {
  const service = `hourglass-test-${randomUUID().slice(0, 8)}`;
  const vault = createKeychainVault(service, 'alice');
  const clock = { now: T0 };
  const open = (over: Vault = vault): GrantSecrets =>
    createGrantSecrets({ vault: over, brokerNow: () => clock.now, keep });
  const accounts = async () => {
    const listed = await vault.accounts();
    if (!listed.ok) throw new Error(listed.error.message);
    return listed.value.sort();
  };
  const items = () => findCredentials(service);
  return { vault, clock, open, accounts, items };
}

const okVoid = { ok: true, value: undefined };

describe('grant secrets in deadline buckets (real gnome-keyring)', () => {
  it('keeps grants due in the same second in one item; an early revoke leaves the others readable', async () => {
    const f = fixture();
    const secrets = f.open();
    for (const id of ['g-a', 'g-b', 'g-c'])
      expect(
        await secrets.put({ grantId: id, expiresAt: at(60_400), secret: `canary-${id}` }),
      ).toEqual(okVoid);
    expect(await f.accounts()).toEqual([bucketAccount(second(60_000), 0)]);
    expect([...grantSecretsInItems(f.items(), 'alice/').keys()]).toEqual(['g-a', 'g-b', 'g-c']);
    expect([...(await secrets.remove(['g-b']))]).toEqual(['g-b']);
    expect(await secrets.read('g-b')).toEqual({ ok: true, value: null });
    expect(await secrets.read('g-a')).toEqual({ ok: true, value: 'canary-g-a' });
    expect(await secrets.read('g-c')).toEqual({ ok: true, value: 'canary-g-c' });
    // A fresh agent (no index in memory) finds them too.
    expect(await f.open().read('g-c')).toEqual({ ok: true, value: 'canary-g-c' });
    expect((await secrets.remove(['g-a', 'g-c'])).size).toBe(2);
    expect(await f.accounts()).toEqual([]);
  });

  it('extend moves the secret to its new bucket and empties the old one', async () => {
    const f = fixture();
    const secrets = f.open();
    await secrets.put({ grantId: 'g-x', expiresAt: at(10_000), secret: 'canary-old' });
    await secrets.put({ grantId: 'g-y', expiresAt: at(10_000), secret: 'canary-y' });
    expect(
      await secrets.put({ grantId: 'g-x', expiresAt: at(70_000), secret: 'canary-new' }),
    ).toEqual(okVoid);
    expect(await secrets.read('g-x')).toEqual({ ok: true, value: 'canary-new' });
    expect(await f.accounts()).toEqual(
      [bucketAccount(second(10_000), 0), bucketAccount(second(70_000), 0)].sort(),
    );
    const old = await f.vault.read(bucketAccount(second(10_000), 0));
    expect(old.ok && old.value).not.toContain('canary-old');
    await secrets.remove(['g-y']);
    expect(await f.accounts()).toEqual([bucketAccount(second(70_000), 0)]);
    expect(await secrets.removeAll()).toEqual({ ok: true, value: 1 });
  });

  it('a crash between writing the new bucket and removing the old copy leaves no secret past its deadline', async () => {
    const f = fixture();
    await f.open().put({ grantId: 'g-m', expiresAt: at(5_000), secret: 'canary-before' });
    const oldAccount = bucketAccount(second(5_000), 0);
    // The process dies right after the new bucket is written: the old item is never touched.
    const dying: Vault = {
      ...f.vault,
      store: (account, secret) =>
        account === oldAccount ? crash() : f.vault.store(account, secret),
      remove: (account) => (account === oldAccount ? crash() : f.vault.remove(account)),
    };
    const secrets = f.open(dying);
    await secrets.put({ grantId: 'g-m', expiresAt: at(90_000), secret: 'canary-after' });
    expect(await f.accounts()).toEqual([oldAccount, bucketAccount(second(90_000), 0)].sort());
    expect(secrets.nextWipeAt()).toBe(second(5_000) * 1000);
    // Restarted after the old deadline: the old bucket goes before anything is read.
    f.clock.now = T0 + 5_000;
    const restarted = f.open();
    expect(await restarted.read('g-m')).toEqual({ ok: true, value: 'canary-after' });
    expect(await f.accounts()).toEqual([bucketAccount(second(90_000), 0)]);
    await restarted.removeAll();
  });

  it('a running agent deletes a stale copy when its bucket second begins', async () => {
    const f = fixture();
    const secrets = f.open();
    await secrets.put({ grantId: 'g-s', expiresAt: at(3_000), secret: 'canary-s' });
    f.clock.now = T0 + 2_999;
    expect(await secrets.expire()).toEqual(okVoid);
    expect(await secrets.read('g-s')).toEqual({ ok: true, value: 'canary-s' });
    f.clock.now = T0 + 3_000;
    expect(await secrets.expire()).toEqual(okVoid);
    expect(await f.accounts()).toEqual([]);
    expect(secrets.nextWipeAt()).toBeNull();
  });

  it('a corrupt bucket item is wiped, never trusted: at start and when met later', async () => {
    const f = fixture();
    const corrupt = bucketAccount(second(50_000), 0);
    await f.vault.store(corrupt, '{"v":1,"secrets":{"g-1":'); // cut short
    const secrets = f.open();
    expect(await secrets.read('g-1')).toEqual({ ok: true, value: null });
    expect(await f.accounts()).toEqual([]);
    await secrets.put({ grantId: 'g-2', expiresAt: at(50_000), secret: 'canary-2' });
    await f.vault.store(corrupt, 'canary-2 but not a bucket');
    expect(await secrets.read('g-2')).toEqual({ ok: true, value: null });
    expect(await f.accounts()).toEqual([]);
  });

  it('sweeps at start: due buckets, grants the agent does not hold; legacy items are read and wiped', async () => {
    const f = fixture((id) => id !== 'g-unknown' && id !== 'g-legacy-unknown');
    await f.open().putMany([
      { grantId: 'g-known', expiresAt: at(40_000), secret: 'canary-k' },
      { grantId: 'g-unknown', expiresAt: at(40_000), secret: 'canary-u' },
      { grantId: 'g-due', expiresAt: at(-1_000), secret: 'canary-d' },
    ]);
    await f.vault.store(legacyAccount('g-legacy'), 'canary-legacy');
    await f.vault.store(legacyAccount('g-legacy-unknown'), 'canary-lu');
    await f.vault.store('session', 'canary-session');
    const secrets = f.open();
    expect(await secrets.load()).toEqual(okVoid);
    expect(await f.accounts()).toEqual(
      [bucketAccount(second(40_000), 0), legacyAccount('g-legacy'), 'session'].sort(),
    );
    expect(await secrets.read('g-known')).toEqual({ ok: true, value: 'canary-k' });
    expect(await secrets.read('g-unknown')).toEqual({ ok: true, value: null });
    expect(await secrets.read('g-legacy')).toEqual({ ok: true, value: 'canary-legacy' });
    expect([...(await secrets.remove(['g-legacy']))]).toEqual(['g-legacy']);
    expect(await secrets.removeAll()).toEqual({ ok: true, value: 1 });
    expect(await f.accounts()).toEqual(['session']);
    await f.vault.remove('session');
  });

  it('caps a bucket item; removing every grant of a deadline deletes whole items', async () => {
    const f = fixture();
    const secrets = f.open();
    const ids = Array.from({ length: 130 }, (_, i) => `g-${i}`);
    await secrets.putMany(ids.map((id) => ({ grantId: id, expiresAt: at(30_000), secret: id })));
    expect((await f.accounts()).length).toBe(3);
    await secrets.put({ grantId: 'g-late', expiresAt: at(30_500), secret: 'canary-late' });
    expect((await f.accounts()).length).toBe(3);
    const heard: string[][] = [];
    const gone = await secrets.remove([...ids, 'g-late', 'g-never-held'], (g) => heard.push(g));
    expect(gone.size).toBe(132);
    expect(heard.flat().sort()).toEqual([...ids, 'g-late', 'g-never-held'].sort());
    expect(await f.accounts()).toEqual([]);
  });
});

function crash(): Promise<Result<never>> {
  return Promise.resolve(fail('keychain_unavailable', 'the process died here'));
}
