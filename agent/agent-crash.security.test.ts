import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtCredentialSchema } from '../protocol/index.ts';
import { keychainItems, waitFor } from '../cli/profile-harness.ts';
import type { DeadlineHarness } from './deadline-harness.ts';
import { requestShort, signIn, startDeadlineHarness } from './deadline-harness.ts';
import { grantSecretsInItems } from './grant-secrets-layout.ts';
import { dataDirAccountPrefix } from './keychain-scope.ts';

// A real headless agent process, the demo IdP, a broker and gnome-keyring. The agent holds a
// short and a long grant's credentials in the keychain and is killed with SIGKILL: no shutdown
// code runs, so only what the next start does can remove the secret that expired meanwhile.

/** Every file under `dir` (the agent's data dir), as text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? [{ path, text: readFileSync(path, 'latin1') }] : [];
  });
}

/** Whether process `pid` is gone (reaped: its lock and pid files are stale). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('an agent killed with -9 while holding grants (headless agent process)', () => {
  let h: DeadlineHarness;
  beforeAll(async () => {
    h = await startDeadlineHarness();
  }, 30_000);
  afterAll(async () => h?.close());

  const held = () =>
    grantSecretsInItems(
      keychainItems(),
      dataDirAccountPrefix(h.dataDir, h.env.HOURGLASS_PROFILE, { HOME: process.env.HOME }),
    );
  const tokenOf = (secret: string | undefined) =>
    jwtCredentialSchema.parse(JSON.parse(secret ?? 'null')).token;
  const introspect = async (token: string) =>
    (await (
      await fetch(`${h.stack.brokerUrl}/oauth/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      })
    ).json()) as Record<string, unknown>;

  it('an agent killed with -9 while holding grants leaves no expired credential in the keychain after restart', async () => {
    const first = await h.spawnAgent();
    await signIn(first.handlers, 'alice');
    const short = await requestShort(first.handlers, 'short-a', 4);
    const long = await requestShort(first.handlers, 'short-b', 1800);
    // Both credentials are in the profile's keychain items before the crash.
    const before = held();
    const shortToken = tokenOf(before.get(short.id));
    const longSecret = before.get(long.id);
    const longToken = tokenOf(longSecret);
    expect(await introspect(shortToken)).toMatchObject({ active: true, grant_id: short.id });

    process.kill(first.pid, 'SIGKILL');
    await waitFor('the killed agent to be reaped', () => (gone(first.pid) ? true : undefined));
    expect(first.wiped(short.id)).toBeUndefined();
    await waitFor(
      "the short grant's deadline to pass",
      () => (Date.now() > short.deadline + 1000 ? true : undefined),
      20_000,
    );
    // Nothing wiped it while the agent was down: the expired secret is still in the keychain.
    expect(held().get(short.id)).toBeDefined();
    // Expiry is the broker's own: with no agent running, the broker refuses the expired token
    // and still honours the live one.
    expect(await introspect(shortToken)).toEqual({ active: false });
    expect(await introspect(longToken)).toMatchObject({ active: true, grant_id: long.id });

    const second = await h.spawnAgent();
    // Promptly: the start-up sweep runs before the agent serves; 5 s is slack for a loaded box.
    await waitFor(
      'the expired grant to leave the keychain',
      () => (held().has(short.id) ? undefined : true),
      5_000,
    );
    expect(held().get(long.id)).toBe(longSecret);
    expect(second.wiped(short.id)?.trigger).toBe('deadline');
    expect(second.wiped(long.id)).toBeUndefined();

    // The broker's view through the restarted agent: expired there, the long one still active.
    const listed = await second.handlers.listGrants({});
    if (!listed.ok) throw new Error(listed.error.message);
    const statusOf = (id: string) => listed.value.grants.find((g) => g.id === id)?.status;
    expect(statusOf(short.id)).toBe('expired');
    expect(statusOf(long.id)).toBe('active');

    // No credential was written to disk in the clear, before or after the crash.
    const files = filesUnder(h.dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const token of [shortToken, longToken]) {
      const signature = token.split('.')[2] ?? token;
      for (const { path, text } of files) {
        expect(text.includes(token), path).toBe(false);
        expect(text.includes(signature), path).toBe(false);
      }
    }
  }, 60_000);
});
