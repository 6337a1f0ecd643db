import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keychainItems, waitFor } from '../cli/profile-harness.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import type { DeadlineHarness } from './deadline-harness.ts';
import { requestShort, signIn, startDeadlineHarness } from './deadline-harness.ts';
import { grantSecretsInItems } from './grant-secrets-layout.ts';
import type { RunningAgent } from './host.ts';
import { startAgent } from './host.ts';
import { dataDirAccountPrefix, keychainScope } from './keychain-scope.ts';
import { createKeychainVault, KEYCHAIN_SERVICE, SESSION_ACCOUNT } from './keychain.vault.ts';

// Real IdP + broker + gnome-keyring (service `hourglass`, as users have it): two data dirs (alice
// and bob; one user's devices each fetch all of that user's grants), both
// on profile `default`, signed in at once. Before item names were scoped by data dir, the second
// sign-in overwrote the first's session and one's sign-out wiped the other's secrets.

const grantsHeld = (prefix: string) =>
  new Set(grantSecretsInItems(keychainItems(KEYCHAIN_SERVICE), prefix).keys());
/** A fingerprint of the data dir's session item (never the item: a failure must not print it). */
const sessionOf = async (dataDir: string) => {
  const read = await createKeychainVault(undefined, keychainScope(dataDir, undefined)).read(
    SESSION_ACCOUNT,
  );
  if (!read.ok) return `unreadable: ${read.error.message}`;
  return read.value === null ? null : createHash('sha256').update(read.value).digest('hex');
};
const signedIn = async (agent: RunningAgent) => {
  const status = await agent.handlers.getStatus({});
  return status.ok && status.value.loggedIn;
};

describe('two data dirs with profile default in one keyring', () => {
  let h: DeadlineHarness;
  const root = mkdtempSync(join(tmpdir(), 'hg-scope-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const start = (dir: string) =>
    startAgent(agentConfigForStack(h.stack, dir), { serveLocalApi: false });
  let a: RunningAgent;
  let b: RunningAgent;

  beforeAll(async () => {
    h = await startDeadlineHarness();
    a = await start(dirA);
    b = await start(dirB);
    await signIn(a.handlers, 'alice');
    await signIn(b.handlers, 'bob');
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await h?.close();
  });

  it('each keeps, and wipes at its deadline, at start-up and at sign-out, only its own items', async () => {
    const prefixA = dataDirAccountPrefix(dirA);
    const prefixB = dataDirAccountPrefix(dirB);
    expect(prefixA).toMatch(/^default@[0-9a-f]{12}\/$/);
    expect(prefixB).not.toBe(prefixA);
    const [sessionA, sessionB] = [await sessionOf(dirA), await sessionOf(dirB)];
    expect(sessionA).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionB).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionA).not.toBe(sessionB);

    const grantA = await requestShort(a.handlers, 'short-a', 8);
    const grantB = await requestShort(b.handlers, 'short-b', 600);
    expect([...grantsHeld(prefixA)]).toEqual([grantA.id]);
    expect([...grantsHeld(prefixB)]).toEqual([grantB.id]);

    // Start-up cleanup (due buckets, corrupt items, unknown grants) of A leaves B's items alone.
    await a.close();
    a = await start(dirA);
    expect(await signedIn(a)).toBe(true);
    expect(grantsHeld(prefixB)).toEqual(new Set([grantB.id]));
    expect(await sessionOf(dirB)).toMatch(/^[0-9a-f]{64}$/);

    // A's deadline wipes A's secret, nothing of B's.
    await waitFor(
      "A's deadline wipe",
      () => (grantsHeld(prefixA).size === 0 ? true : undefined),
      Math.max(0, grantA.deadline - Date.now()) + 10_000,
    );
    expect(grantsHeld(prefixB)).toEqual(new Set([grantB.id]));

    // B's sign-out wipes B's session and secrets; A stays signed in with its session item.
    expect(await b.handlers.logout({})).toMatchObject({ ok: true });
    expect(await sessionOf(dirB)).toBeNull();
    expect(grantsHeld(prefixB).size).toBe(0);
    // (A's refresh token may have rotated since: the item is there, and A is still signed in.)
    expect(await sessionOf(dirA)).toMatch(/^[0-9a-f]{64}$/);
    expect(await signedIn(a)).toBe(true);
  }, 60_000);
});
