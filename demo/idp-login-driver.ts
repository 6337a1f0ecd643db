/**
 * Drives the demo IdP's login and consent pages over plain fetch, for tests and the e2e harness:
 * follows redirects by hand until the redirect to the loopback callback, which it returns unfetched.
 */
import * as client from 'openid-client';
import { CookieJar } from './cookie-jar.ts';
import { DEMO_CLIENT_ID } from './idp.ts';
import { DEMO_PASSWORD } from './users.ts';

const MAX_STEPS = 20;
const LOOPBACK_CALLBACK = /^http:\/\/127\.0\.0\.1:\d+\/callback(?:\?|$)/;

/** Login credentials typed into the IdP's form. */
export interface IdpCredentials {
  login: string;
  password: string;
}

interface FormInfo {
  action: string;
  fields: string[];
}

function parseForm(html: string): FormInfo | undefined {
  const form = /<form[^>]*action="([^"]*)"/i.exec(html);
  if (!form?.[1]) return undefined;
  const fields = [...html.matchAll(/<input[^>]*name="([^"]+)"/gi)].map((m) => m[1] ?? '');
  return { action: form[1].replaceAll('&amp;', '&'), fields };
}

function formBody(form: FormInfo, creds: IdpCredentials): URLSearchParams {
  const body = new URLSearchParams();
  if (form.fields.includes('password')) {
    body.set('login', creds.login);
    body.set('password', creds.password);
  } else {
    body.set('decision', 'allow');
  }
  return body;
}

/**
 * Completes the IdP's login (and consent, if asked) for `authorizationUrl` and returns the URL the
 * IdP redirects to on the loopback callback, without fetching it. Throws when the login is refused.
 */
export async function completeIdpLogin(
  authorizationUrl: string,
  creds: IdpCredentials,
): Promise<{ callbackUrl: string }> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url).href;
      if (LOOPBACK_CALLBACK.test(next)) return { callbackUrl: next };
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (init.method === 'POST' || response.status !== 200) {
      throw new Error(
        `the IdP refused the login (HTTP ${response.status}); check the username and password`,
      );
    }
    const form = parseForm(html);
    if (!form)
      throw new Error(`the IdP answered a page without a form at ${new URL(url).pathname}`);
    url = new URL(form.action, url).href;
    init = { method: 'POST', body: formBody(form, creds).toString() };
  }
  throw new Error('the IdP login did not reach the callback; too many redirects');
}

/** Tokens from a completed code flow. */
export interface TestTokens {
  accessToken: string;
  refreshToken?: string;
  idToken: string;
}

/**
 * Runs a full authorization code + PKCE S256 flow for `user` (password `demo` unless given) against
 * the demo IdP and exchanges the code itself, asking for an access token for `resource`.
 */
export async function obtainTestTokens(
  issuer: string,
  user: string | IdpCredentials,
  resource: string,
): Promise<TestTokens> {
  const creds = typeof user === 'string' ? { login: user, password: DEMO_PASSWORD } : user;
  const config = await client.discovery(new URL(issuer), DEMO_CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:8765/callback',
    scope: 'openid profile email groups offline_access',
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    resource,
  });
  const { callbackUrl } = await completeIdpLogin(authorizationUrl.href, creds);
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callbackUrl),
    {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    },
    { resource },
  );
  if (!tokens.id_token) throw new Error('the IdP returned no ID token');
  return {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    idToken: tokens.id_token,
  };
}
