import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdp } from '../demo/idp.ts';
import { DEMO_CLIENT_ID, startDemoIdp } from '../demo/idp.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../demo/stack.ts';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';

// The demo IdP (rotating refresh tokens: a reused one is `invalid_grant` and revokes the sign-in),
// the real keychain, and 5 separate Node processes sharing one session item and one profile dir.
const ROOT = new URL('..', import.meta.url).pathname;
const PROCESSES = 5;
const CALLS = 20;

let idp: DemoIdp;
const grants: Array<{ grantType: string; error: string | null }> = [];
const service = `hourglass-refresh-${randomUUID().slice(0, 8)}`;

/** Signs alice in with code + PKCE and keeps the session item as the agent does. */
async function signIn(): Promise<void> {
  const config = await client.discovery(
    new URL(idp.issuer),
    DEMO_CLIENT_ID,
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:9/callback',
    scope: 'openid offline_access',
    prompt: 'consent',
    resource: BROKER_AUDIENCE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const { callbackUrl } = await completeIdpLogin(url.href, { login: 'alice', password: 'demo' });
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callbackUrl),
    { pkceCodeVerifier: verifier, expectedState: state },
    { resource: BROKER_AUDIENCE },
  );
  const item = JSON.stringify({ refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  const stored = await createKeychainVault(service).store(SESSION_ACCOUNT, item);
  if (!stored.ok) throw new Error(stored.error.message);
}

/** One process: a fresh session (no access token in memory) asked for one `CALLS` times at once. */
function sessionProcess(lockPath: string): Promise<string> {
  const script = `
    import { createSession } from './agent/session.ts';
    import { createKeychainVault } from './agent/keychain.vault.ts';
    import { createOidcConnection } from './agent/login/oidc-connection.ts';
    const session = createSession({
      oidc: createOidcConnection({ issuer: ${JSON.stringify(idp.issuer)}, clientId: 'hourglass-desktop', allowInsecureHttp: true }),
      vault: createKeychainVault(${JSON.stringify(service)}),
      clock: { now: () => Date.now() },
      audience: ${JSON.stringify(BROKER_AUDIENCE)},
      issuer: ${JSON.stringify(idp.issuer)},
      refreshLockPath: ${JSON.stringify(lockPath)},
    });
    const answers = await Promise.all(Array.from({ length: ${CALLS} }, () => session.accessToken()));
    console.log(answers.map((a) => (a.ok ? 'ok' : a.error.code)).join(','));`;
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, env: process.env },
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
    ),
  );
}

beforeAll(async () => {
  idp = await startDemoIdp({
    brokerAudience: BROKER_AUDIENCE,
    onTokenGrant: (g) => grants.push(g),
  });
  await signIn();
});
afterAll(async () => {
  await createKeychainVault(service).remove(SESSION_ACCOUNT);
  await idp?.close();
});

describe('refresh across processes', () => {
  it(`${PROCESSES} processes × ${CALLS} concurrent calls: one refresh per rotation, no invalid_grant`, async () => {
    const lockPath = join(mkdtempSync(join(tmpdir(), 'hg-refresh-lock-')), 'refresh.lock');
    grants.length = 0;
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, () => sessionProcess(lockPath)),
    );
    const refreshes = grants.filter((g) => g.grantType === 'refresh_token');
    process.stdout.write(
      `refresh across ${PROCESSES} processes: ${refreshes.length} refreshes, ${refreshes.filter((g) => g.error).length} refused\n`,
    );
    for (const out of outputs) expect(out).toBe(Array(CALLS).fill('ok').join(','));
    // One refresh per process (each needs its own access token), each with the newest token.
    expect(refreshes).toEqual(Array(PROCESSES).fill({ grantType: 'refresh_token', error: null }));
  });
});
