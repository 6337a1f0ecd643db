import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKeychainVault } from './keychain.vault.ts';

const grantAccount = (id: string) => `grants:${id}`;

// Runs inside the private D-Bus session with an unlocked gnome-keyring (see the test command).
const service = `hourglass-test-${randomUUID().slice(0, 8)}`;

function secretToolSees(account: string): boolean {
  const run = spawnSync('secret-tool', ['search', '--all', 'service', service], {
    encoding: 'utf8',
  });
  return `${run.stdout}${run.stderr}`.includes(`attribute.username = ${account}`);
}

describe('keychain vault (real gnome-keyring)', () => {
  it('stores, reads, lists and deletes an item', async () => {
    const vault = createKeychainVault(service);
    const account = grantAccount('g-1');
    expect(await vault.store(account, 'canary-secret-1')).toEqual({ ok: true, value: undefined });
    expect(secretToolSees(account)).toBe(true);
    expect(await vault.read(account)).toEqual({ ok: true, value: 'canary-secret-1' });
    expect(await vault.accounts()).toEqual({ ok: true, value: [account] });
    expect(await vault.entries()).toEqual({
      ok: true,
      value: [{ account, secret: 'canary-secret-1' }],
    });
    expect(await vault.remove(account)).toEqual({ ok: true, value: true });
    expect(await vault.read(account)).toEqual({ ok: true, value: null });
    expect(await vault.remove(account)).toEqual({ ok: true, value: false });
    expect(secretToolSees(account)).toBe(false);
  });

  it('keeps profiles apart under one service', async () => {
    const plain = createKeychainVault(service);
    const bob = createKeychainVault(service, 'bob');
    expect(await plain.store(grantAccount('g-a'), 'canary-secret-a')).toMatchObject({ ok: true });
    expect(await bob.store(grantAccount('g-b'), 'canary-secret-b')).toMatchObject({ ok: true });
    expect(secretToolSees(`bob/${grantAccount('g-b')}`)).toBe(true);
    expect(await plain.accounts()).toEqual({ ok: true, value: [grantAccount('g-a')] });
    expect(await bob.accounts()).toEqual({ ok: true, value: [grantAccount('g-b')] });
    expect(await bob.entries()).toEqual({
      ok: true,
      value: [{ account: grantAccount('g-b'), secret: 'canary-secret-b' }],
    });
    expect(await bob.read(grantAccount('g-a'))).toEqual({ ok: true, value: null });
    expect(await plain.remove(grantAccount('g-a'))).toEqual({ ok: true, value: true });
    expect(await bob.remove(grantAccount('g-b'))).toEqual({ ok: true, value: true });
  });

  it('refuses with keychain_unavailable and a fix-it message when no session bus is reachable', () => {
    const script = `
      import { createKeychainVault } from './agent/keychain.vault.ts';
      const vault = createKeychainVault(${JSON.stringify(service)});
      console.log(JSON.stringify([await vault.store('session', 'canary-secret-2'), await vault.read('session'), await vault.entries()]));`;
    for (const bus of [undefined, 'unix:path=/nonexistent/bus']) {
      const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus };
      if (bus === undefined) delete env.DBUS_SESSION_BUS_ADDRESS;
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          env,
          encoding: 'utf8',
          cwd: new URL('..', import.meta.url).pathname,
        },
      );
      // The listing too: an empty answer here would let the agent think every secret gone.
      const [stored, read, listed] = JSON.parse(out) as Array<{
        ok: boolean;
        error: { code: string; message: string };
      }>;
      expect(stored).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } });
      expect(read).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } });
      expect(listed).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } });
      expect(stored!.error.message).toMatch(/gnome-keyring-daemon --unlock/);
      expect(stored!.error.message).toContain(
        bus ? 'unlocked' : 'DBUS_SESSION_BUS_ADDRESS is unset',
      );
      expect(out).not.toContain('canary-secret-2');
    }
    expect(secretToolSees('session')).toBe(false);
    // Nothing fell back to the kernel keyring either (the library's default on Linux).
    expect(readFileSync('/proc/keys', 'utf8')).not.toContain(service);
  });
});
