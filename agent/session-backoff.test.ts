import { fail } from '../protocol/index.ts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';
import { createOidcConnection } from './login/oidc-connection.ts';
import { createSession, refreshBackoffMs } from './session.ts';

describe('refresh backoff', () => {
  it('doubles from 1 s up to 60 s, jittered to 50–100 %', () => {
    expect([1, 2, 3, 7, 20].map((n) => refreshBackoffMs(n, 1))).toEqual([
      1000, 2000, 4000, 60_000, 60_000,
    ]);
    expect(refreshBackoffMs(3, 0)).toBe(2000);
  });

  it('with the IdP down, asks it again only after the backoff (real keychain, closed port)', async () => {
    const vault = createKeychainVault(`hourglass-backoff-${randomUUID().slice(0, 8)}`);
    await vault.store(SESSION_ACCOUNT, JSON.stringify({ refreshToken: 'rt', idToken: null }));
    let now = 1_000_000;
    let discoveries = 0;
    const oidc = createOidcConnection({
      issuer: 'http://127.0.0.1:9',
      clientId: 'hourglass-desktop',
      allowInsecureHttp: true,
    });
    const session = createSession({
      oidc: {
        configuration: () => {
          discoveries += 1;
          return oidc.configuration();
        },
      },
      vault,
      clock: { now: () => now },
      audience: 'urn:hourglass:broker',
      issuer: 'http://127.0.0.1:9',
      random: () => 1,
    });
    expect(await session.accessToken()).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    const soon = await session.accessToken();
    expect(soon).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!soon.ok && soon.error.message).toMatch(/next try is in 1 s/);
    expect(discoveries).toBe(1);
    now += 1000;
    await session.accessToken();
    expect(discoveries).toBe(2);
    const later = await session.accessToken();
    expect(!later.ok && later.error.message).toMatch(/next try is in 2 s/);
    await vault.remove(SESSION_ACCOUNT);
  });

  it("a session item minted by another issuer is not this profile's session: signed out, item removed", async () => {
    const vault = createKeychainVault(`hourglass-issuer-${randomUUID().slice(0, 8)}`);
    const item = { refreshToken: 'rt', idToken: null, issuer: 'http://127.0.0.1:1/old-demo' };
    await vault.store(SESSION_ACCOUNT, JSON.stringify(item));
    let discoveries = 0;
    const session = createSession({
      oidc: {
        configuration: () => {
          discoveries += 1;
          return Promise.resolve(fail('unavailable', 'not asked'));
        },
      },
      vault,
      clock: { now: () => 0 },
      audience: 'urn:hourglass:broker',
      issuer: 'http://127.0.0.1:9',
    });
    expect(await session.accessToken()).toMatchObject({
      ok: false,
      error: { code: 'not_logged_in' },
    });
    expect(discoveries).toBe(0);
    expect(await vault.read(SESSION_ACCOUNT)).toEqual({ ok: true, value: null });
  });
});
