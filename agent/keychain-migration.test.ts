import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGrantSecrets } from './grant-secrets.ts';
import { bucketAccount, formatBucket, legacyAccount, parseBucket } from './grant-secrets-layout.ts';
import type { GrantRecord } from './grant-store.ts';
import { openGrantStore } from './grant-store.ts';
import { MIGRATION_MARKER, migrateSharedItems } from './keychain-migration.ts';
import type { KeychainScope } from './keychain-scope.ts';
import { canonicalPath, keychainScope, scopeAccountPrefix } from './keychain-scope.ts';
import type { Vault } from './keychain.vault.ts';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';

// Real gnome-keyring on the private D-Bus session; each test has its own keychain service.
const ISSUER = 'https://idp.example.test';
const HOUR = 3600_000;
const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function record(id: string, expiresAt: string, wipedAt: string | null = null): GrantRecord {
  return {
    id,
    role: 'r',
    provider: 'jwt',
    grantedSeconds: 3600,
    expiresAt,
    credentialStored: wipedAt === null,
    wipedAt,
    subject: 'alice',
    grant: null,
    receipt: null,
  };
}

const must = async <T>(run: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>) => {
  const r = await run;
  if (!r.ok) throw new Error('keychain call failed');
  return r.value;
};

/** A data dir used before the upgrade, its shared items, and the migration over them. */
function fixture(opts: { standardUsed: boolean; usedBefore?: boolean }) {
  const service = `hourglass-migrate-${randomUUID().slice(0, 8)}`;
  const root = mkdtempSync(join(tmpdir(), 'hg-migrate-'));
  const dataDir = join(root, 'data');
  const standardDir = join(root, 'standard');
  mkdirSync(dataDir);
  if (opts.usedBefore !== false) writeFileSync(join(dataDir, 'status'), '');
  if (opts.standardUsed) mkdirSync(standardDir);
  const scope: KeychainScope = { profile: 'default', dataDirHash: 'a1b2c3d4e5f6' };
  const shared: Vault = createKeychainVault(service, 'default');
  const own: Vault = createKeychainVault(service, scope);
  const store = openGrantStore(dataDir);
  const secrets = createGrantSecrets({
    vault: own,
    brokerNow: () => Date.now(),
    keep: (id) => store.get(id)?.wipedAt === null,
  });
  const migrate = () =>
    migrateSharedItems({
      scope,
      dataDir,
      standardDir,
      shared,
      own,
      secrets,
      store,
      issuer: ISSUER,
      brokerNow: () => Date.now(),
    });
  return { dataDir, standardDir, shared, own, store, migrate };
}

describe('moving a data dir’s items off the shared names (real gnome-keyring)', () => {
  it('moves only its own grants’ secrets; leaves others’, shared grants’ and corrupt items', async () => {
    const f = fixture({ standardUsed: true });
    const live = new Date(Date.now() + HOUR).toISOString();
    const ended = new Date(Date.now() - HOUR).toISOString();
    f.store.upsertMany([
      record('g-own', live),
      record('g-both', live),
      record('g-ended', ended, ended),
    ]);
    // The standard data dir's store holds g-both (the same user on both): its copy stays shared.
    writeFileSync(
      join(f.standardDir, 'grants.json'),
      JSON.stringify({ grants: [{ id: 'g-both' }] }),
    );
    const bucket = bucketAccount(second(live), 0);
    const inBucket = { 'g-own': 'canary-own', 'g-both': 'canary-both', 'g-other': 'canary-other' };
    await must(f.shared.store(bucket, formatBucket(new Map(Object.entries(inBucket)))));
    await must(f.shared.store(legacyAccount('g-ended'), 'canary-ended'));
    await must(f.shared.store(bucketAccount(second(live), 1), 'not a bucket'));
    await must(
      f.shared.store(SESSION_ACCOUNT, JSON.stringify({ refreshToken: 'r', issuer: ISSUER })),
    );

    expect(await f.migrate()).toEqual({
      ok: true,
      value: { secretsCopied: 2, secretsTakenOut: 2, sessionMoved: false },
    });
    const ownItems = await must(f.own.entries());
    const ownSecrets = new Map(ownItems.flatMap((e) => [...(parseBucket(e.secret) ?? [])]));
    expect(Object.fromEntries(ownSecrets)).toEqual({
      'g-own': 'canary-own',
      'g-both': 'canary-both',
    });
    const sharedLeft = await must(f.shared.read(bucket));
    expect(Object.fromEntries(parseBucket(sharedLeft ?? '') ?? [])).toEqual({
      'g-both': 'canary-both',
      'g-other': 'canary-other',
    });
    expect(await must(f.shared.read(legacyAccount('g-ended')))).toBeNull();
    expect(await must(f.shared.read(bucketAccount(second(live), 1)))).toBe('not a bucket');
    // The standard data dir was used: the session item may be its own, so it stays.
    expect(await must(f.shared.read(SESSION_ACCOUNT))).not.toBeNull();
    expect(await must(f.own.read(SESSION_ACCOUNT))).toBeNull();
    // Once: the marker makes the next start skip the listing.
    expect(existsSync(join(f.dataDir, MIGRATION_MARKER))).toBe(true);
    expect(await f.migrate()).toEqual({ ok: true, value: null });
    for (const v of [f.shared, f.own])
      for (const account of await must(v.accounts())) await v.remove(account);
  });

  it('moves the session item only when no standard data dir exists and this one was used', async () => {
    const session = JSON.stringify({ refreshToken: 'canary-refresh', issuer: ISSUER });
    const fresh = fixture({ standardUsed: false, usedBefore: false });
    await must(fresh.shared.store(SESSION_ACCOUNT, session));
    expect(await fresh.migrate()).toMatchObject({ ok: true, value: { sessionMoved: false } });

    const used = fixture({ standardUsed: false });
    await must(used.shared.store(SESSION_ACCOUNT, session));
    expect(await used.migrate()).toMatchObject({ ok: true, value: { sessionMoved: true } });
    expect(await must(used.own.read(SESSION_ACCOUNT))).toBe(session);
    expect(await must(used.shared.read(SESSION_ACCOUNT))).toBeNull();

    const otherIdp = fixture({ standardUsed: false });
    await must(otherIdp.shared.store(SESSION_ACCOUNT, session.replace(ISSUER, 'https://other')));
    expect(await otherIdp.migrate()).toMatchObject({ ok: true, value: { sessionMoved: false } });
    for (const f of [fresh, used, otherIdp])
      for (const v of [f.shared, f.own])
        for (const account of await must(v.accounts())) await v.remove(account);
  });
});

describe('keychain scope of a data dir', () => {
  it('keeps the standard data dir’s names and gives any other its own, by resolved path', () => {
    const home = mkdtempSync(join(tmpdir(), 'hg-home-'));
    const env = { HOME: home };
    const standard = join(home, '.local', 'state', 'hourglass');
    expect(keychainScope(standard, 'default', env)).toEqual({
      profile: 'default',
      dataDirHash: null,
    });
    // HOURGLASS_HOME naming the standard dir is still the standard dir.
    expect(scopeAccountPrefix(keychainScope(standard, undefined, env))).toBe('');
    expect(scopeAccountPrefix(keychainScope(join(standard, 'profiles', 'bob'), 'bob', env))).toBe(
      'bob/',
    );
    const other = scopeAccountPrefix(keychainScope(join(home, 'other'), 'bob', env));
    expect(other).toMatch(/^bob@[0-9a-f]{12}\/$/);
    expect(scopeAccountPrefix(keychainScope(join(home, 'x', '..', 'other'), 'bob', env))).toBe(
      other,
    );
    mkdirSync(join(home, 'other'));
    symlinkSync(join(home, 'other'), join(home, 'link'));
    expect(scopeAccountPrefix(keychainScope(join(home, 'link'), 'bob', env))).toBe(other);
    expect(canonicalPath(join(home, 'not', 'made'))).toBe(join(canonicalPath(home), 'not', 'made'));
  });
});
