import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startDemoIdp, DEMO_CLIENT_ID, type DemoIdp } from './idp.ts';
import { completeIdpLogin, obtainTestTokens } from './idp-login-driver.ts';

const AUDIENCE = 'urn:hourglass:broker';
let idp: DemoIdp;

beforeAll(async () => {
  idp = await startDemoIdp({ brokerAudience: AUDIENCE });
});
afterAll(async () => {
  await idp.close();
});

/** The IdP's configuration for the desktop client (http issuer: tests only). */
function discoverIdp(): Promise<client.Configuration> {
  return client.discovery(new URL(idp.issuer), DEMO_CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

async function authorizationUrl(extra: Record<string, string> = {}): Promise<string> {
  const config = await discoverIdp();
  const verifier = client.randomPKCECodeVerifier();
  return client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:4567/callback',
    scope: 'openid groups',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: client.randomState(),
    ...extra,
  }).href;
}

describe('demo IdP', () => {
  it('issues alice a JWT access token for the broker audience with her groups', async () => {
    const tokens = await obtainTestTokens(idp.issuer, 'alice', AUDIENCE);
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, jwks, {
      issuer: idp.issuer,
      audience: AUDIENCE,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('alice');
    expect(payload.groups).toEqual(['engineers']);
    expect(payload.preferred_username).toBe('alice');
    expect(tokens.refreshToken).toBeTypeOf('string');
    expect(decodeJwt(tokens.idToken).groups).toEqual(['engineers']);
  });

  it('gives bob both of his groups', async () => {
    const tokens = await obtainTestTokens(idp.issuer, 'bob', AUDIENCE);
    expect(decodeJwt(tokens.accessToken).groups).toEqual(['engineers', 'approvers']);
  });

  it('issues the broker JWT by default when the client sends no resource parameter', async () => {
    const config = await discoverIdp();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:4567/callback',
      scope: 'openid groups',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const { callbackUrl } = await completeIdpLogin(url.href, { login: 'carol', password: 'demo' });
    expect(callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:4567\/callback\?code=/);
    const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = decodeJwt(tokens.access_token);
    expect(claims.aud).toBe(AUDIENCE);
    expect(claims.groups).toEqual(['auditors']);
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    await expect(
      completeIdpLogin(await authorizationUrl(), { login: 'alice', password: 'nope' }),
    ).rejects.toThrow(/refused the login \(HTTP 401\)/);
    await expect(
      completeIdpLogin(await authorizationUrl(), { login: 'mallory', password: 'demo' }),
    ).rejects.toThrow(/refused the login \(HTTP 401\)/);
  });

  it('shows the form again with an escaped error and the typed login', async () => {
    const start = await fetch(await authorizationUrl(), { redirect: 'manual' });
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const interaction = new URL(start.headers.get('location')!, idp.issuer);
    const page = await fetch(`${interaction.href}/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: '<script>x</script>', password: 'x' }).toString(),
    });
    const html = await page.text();
    expect(page.status).toBe(401);
    expect(html).toContain('Wrong username or password.');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('refuses a client without PKCE', async () => {
    const url = new URL(await authorizationUrl());
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.headers.get('location') ?? '').toContain('error=invalid_request');
  });
});
