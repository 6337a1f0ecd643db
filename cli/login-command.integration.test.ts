import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeDeviceLogin } from '../demo/idp-device-driver.ts';
import { createKeychainVault } from '../agent/keychain.vault.ts';
import { createLoginFlow } from '../agent/login/login-flow.ts';
import { createOidcConnection } from '../agent/login/oidc-connection.ts';
import { createSession } from '../agent/session.ts';
import { fail } from '../protocol/index.ts';
import type { ProfileHarness } from './profile-harness.ts';
import { answerSignIn, startProfileHarness, waitFor } from './profile-harness.ts';

// The real CLI binary and headless agents against the demo IdP (device flow on) and broker.
let h: ProfileHarness;
beforeAll(async () => {
  h = await startProfileHarness();
});
afterAll(async () => h?.close());

describe('hourglass login', () => {
  it('--device: prints a code and URL; signing in there signs the CLI in', async () => {
    const run = h.spawnCli('dev', 'login', '--device');
    const [, code, url] = await waitFor(
      'the device code',
      () => /confirm the code (\S+):\n\s+(\S+)\n/.exec(run.stderr()) ?? undefined,
      20_000,
    );
    expect(url).toContain(`user_code=${code}`);
    await completeDeviceLogin(url ?? '', { login: 'alice', password: 'demo' });
    const done = await run.done;
    expect(done.stdout).toBe('Signed in as Alice Engineer <alice@demo.hourglass.internal>\n');
    expect(done.code).toBe(0);
  });

  it('signed in already: says who; without a terminal and without --yes it changes nothing', async () => {
    const again = await h.cli('dev', 'login', '--no-browser');
    expect(again.stderr).toBe(
      'hourglass: already signed in as Alice Engineer <alice@demo.hourglass.internal>; to sign in again or as someone else, run `hourglass --profile dev login --yes`\n',
    );
    expect(again.code).toBe(0);
    expect(await h.cli('dev', 'status')).toMatchObject({
      stdout: expect.stringContaining('alice'),
    });
  });

  it('--yes switches to another user', async () => {
    const run = h.spawnCli('dev', 'login', '--no-browser', '--yes');
    await answerSignIn(run.stderr, 'bob');
    expect(await run.done).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Signed in as Bob'),
    });
  });

  it('Ctrl-C while waiting says the sign-in was cancelled (exit 130)', async () => {
    const run = h.spawnCli('other', 'login', '--no-browser');
    await waitFor('the sign-in URL', () => /sign in:\n\s+(\S+)\n/.exec(run.stderr())?.[1], 20_000);
    run.kill('SIGINT');
    const done = await run.done;
    expect(done.stderr).toContain(
      'hourglass: sign-in cancelled; run `hourglass --profile other login` to try again',
    );
    expect(done.code).toBe(130);
  });
});

describe('an abandoned sign-in', () => {
  it('closes its listener at the timeout; the next attempt has a fresh state and port', async () => {
    const oidc = createOidcConnection({
      issuer: h.demo.stack.issuer,
      clientId: h.demo.stack.clientId,
      allowInsecureHttp: true,
    });
    const session = createSession({
      oidc,
      vault: createKeychainVault(`hourglass-abandon-${randomUUID().slice(0, 8)}`),
      clock: { now: () => Date.now() },
      audience: h.demo.stack.brokerAudience,
      issuer: h.demo.stack.issuer,
    });
    const flow = createLoginFlow({
      oidc,
      session,
      audience: h.demo.stack.brokerAudience,
      fetchMe: () => Promise.resolve(fail('internal', 'no sign-in completes in this test')),
      openBrowser: () => Promise.resolve(false),
      timeoutMs: 300,
    });
    const first = await flow.begin({ openBrowser: false });
    if (!first.ok) throw new Error(first.error.message);
    const firstUrl = new URL(first.value.authorizationUrl);
    const firstRedirect = firstUrl.searchParams.get('redirect_uri') ?? '';
    expect(await flow.wait(first.value.loginId)).toMatchObject({
      ok: false,
      error: { code: 'login_failed' },
    });
    await expect(fetch(firstRedirect)).rejects.toThrow();
    const second = await flow.begin({ openBrowser: false });
    if (!second.ok) throw new Error(second.error.message);
    const secondUrl = new URL(second.value.authorizationUrl);
    expect(second.value.loginId).not.toBe(first.value.loginId);
    expect(secondUrl.searchParams.get('state')).not.toBe(firstUrl.searchParams.get('state'));
    expect(secondUrl.searchParams.get('redirect_uri')).not.toBe(firstRedirect);
    flow.cancel();
  });
});
