import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Me, Result } from '../../protocol/index.ts';
import { ok } from '../../protocol/index.ts';
import { createKeychainVault, SESSION_ACCOUNT } from '../keychain.vault.ts';
import { createSession } from '../session.ts';
import type { Session } from '../session.ts';
import { createLoginFlow } from './login-flow.ts';
import type { LoginFlow } from './login-flow.ts';
import { createOidcConnection } from './oidc-connection.ts';
import type { IdpBehaviour, MisbehavingIdp } from './misbehaving-idp.test-support.ts';
import { startMisbehavingIdp } from './misbehaving-idp.test-support.ts';

// The agent's real login (openid-client) and session against a provider that misbehaves in one
// way per case, with the real keychain (gnome-keyring via scripts/with-services.sh).
const AUDIENCE = 'hourglass-broker';

describe('OIDC relying party: what a misbehaving identity provider cannot make the agent accept', () => {
  let idp: MisbehavingIdp;
  // Its own keychain service: no other test sees or wipes these items.
  const vault = createKeychainVault(`hourglass-oidc-rp-${randomUUID().slice(0, 8)}`, 'default');
  let nowMs = Date.now();

  interface Agent {
    flow: LoginFlow;
    session: Session;
    opened: string[];
  }

  function agent(): Agent {
    const oidc = createOidcConnection({
      issuer: idp.issuer,
      clientId: idp.clientId,
      allowInsecureHttp: true,
    });
    const session = createSession({
      oidc,
      vault,
      clock: { now: () => nowMs },
      audience: AUDIENCE,
      issuer: idp.issuer,
    });
    const opened: string[] = [];
    const fetchMe = (): Promise<Result<Me>> =>
      Promise.resolve(
        ok({ subject: session.signedInSubject() ?? '', issuer: idp.issuer, groups: [] }),
      );
    const flow = createLoginFlow({
      oidc,
      session,
      audience: AUDIENCE,
      fetchMe,
      openBrowser: (url) => {
        opened.push(url);
        return Promise.resolve(true);
      },
    });
    return { flow, session, opened };
  }

  /** Signs in as the browser would: follow the authorize redirect to the loopback listener. */
  async function signIn(a: Agent): Promise<Result<Me>> {
    const begun = await a.flow.begin({ openBrowser: true });
    if (!begun.ok) return begun;
    await fetch(begun.value.authorizationUrl);
    return a.flow.wait(begun.value.loginId);
  }

  async function storedSession(): Promise<string | null> {
    const read = await vault.read(SESSION_ACCOUNT);
    if (!read.ok) throw new Error(read.error.message);
    return read.value;
  }

  function expectClearRefusal(result: Result<unknown>, message: RegExp): void {
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(message);
    // No code, token or refresh token the provider handed out is echoed.
    for (const secret of idp.secrets) expect(result.error.message).not.toContain(secret);
  }

  /** The earlier sign-in of someone else, whose code a misbehaving provider honours again. */
  async function earlierSignIn(): Promise<void> {
    const authorize = new URL(`${idp.issuer}/authorize`);
    authorize.searchParams.set('redirect_uri', 'http://127.0.0.1:9/callback');
    authorize.searchParams.set('state', 'earlier');
    authorize.searchParams.set('nonce', 'earlier-nonce');
    const answer = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const redeemed = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code }),
    });
    expect(redeemed.status).toBe(200);
  }

  beforeAll(async () => {
    idp = await startMisbehavingIdp();
  });

  afterEach(async () => {
    for (const key of Object.keys(idp.behaviour)) delete idp.behaviour[key as keyof IdpBehaviour];
    await vault.remove(SESSION_ACCOUNT);
    vi.useRealTimers();
  });

  /**
   * An hour passes, for the agent's clock and for openid-client's (which refetches a JWKS that
   * lacks the token's key only when its copy is a minute old). Only `Date` is moved.
   */
  function anHourLater(): void {
    nowMs += 3600_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3600_000);
  }

  afterAll(async () => {
    await vault.remove(SESSION_ACCOUNT);
    await idp?.close();
  });

  const refusedAtLogin: {
    threat: string;
    behaviour: IdpBehaviour;
    before?: () => Promise<void>;
  }[] = [
    {
      threat: 'an ID token from another issuer (invalid iss)',
      behaviour: { idClaims: (c) => ({ ...c, iss: 'https://idp.attacker.example' }) },
    },
    {
      threat: 'an ID token naming no one (missing sub)',
      behaviour: { idClaims: ({ sub: _sub, ...c }) => c },
    },
    {
      threat: 'an ID token minted for another client (wrong aud)',
      behaviour: { idClaims: (c) => ({ ...c, aud: 'another-client' }) },
    },
    {
      threat: 'an ID token with no issue time (missing iat)',
      behaviour: { idClaims: ({ iat: _iat, ...c }) => c },
    },
    {
      threat: 'a forged ID token (bad signature, key not in the JWKS)',
      behaviour: { signing: 'bad_signature' },
    },
    { threat: 'an unsigned ID token (alg: none)', behaviour: { signing: 'none' } },
    {
      threat: 'an ID token for another sign-in attempt (bad nonce)',
      behaviour: { idClaims: (c) => ({ ...c, nonce: 'attacker-chosen-nonce' }) },
    },
    {
      threat: "a replayed authorization code (the tokens of someone else's earlier sign-in)",
      behaviour: { replayCode: true },
      before: earlierSignIn,
    },
  ];

  it.each(refusedAtLogin)('refuses $threat and stores nothing', async ({ behaviour, before }) => {
    await before?.();
    Object.assign(idp.behaviour, behaviour);
    const a = agent();
    const result = await signIn(a);
    expectClearRefusal(result, /did not complete the sign-in; run `hourglass login` again/);
    expect(await storedSession()).toBeNull();
    expect(a.session.signedInSubject()).toBeNull();
    expect(await a.session.accessToken()).toMatchObject({
      ok: false,
      error: { code: 'not_logged_in' },
    });
  });

  it('refuses a forged state on the loopback redirect (login CSRF) and stores nothing', async () => {
    idp.behaviour.redirectState = () => 'forged-state';
    const a = agent();
    const tokenHits = idp.hits.get('/token') ?? 0;
    const begun = await a.flow.begin({ openBrowser: true });
    if (!begun.ok) throw new Error(begun.error.message);
    const callback = await fetch(begun.value.authorizationUrl);
    expect(callback.status).toBe(400);
    // The forged callback is refused and the real one still awaited; the user gives up.
    a.flow.cancel();
    const result = await a.flow.wait(begun.value.loginId);
    expectClearRefusal(result, /run `hourglass login` again/);
    expect(idp.hits.get('/token') ?? 0).toBe(tokenHits);
    expect(await storedSession()).toBeNull();
    expect(await a.session.accessToken()).toMatchObject({ ok: false });
  });

  it('refuses a discovery document announcing another issuer (issuer mismatch) and stores nothing', async () => {
    idp.behaviour.discoveryIssuer = 'https://idp.attacker.example';
    const a = agent();
    const result = await signIn(a);
    expectClearRefusal(result, /announced a different issuer; check HOURGLASS_ISSUER/);
    expect(a.opened).toEqual([]);
    expect(await storedSession()).toBeNull();
  });

  it('refuses a refresh answered for another subject and keeps no session', async () => {
    const a = agent();
    expect(await signIn(a)).toMatchObject({ ok: true, value: { subject: 'alice' } });
    expect(await storedSession()).not.toBeNull();
    idp.behaviour.refreshClaims = (c) => ({ ...c, sub: 'mallory' });
    anHourLater();
    const refreshed = await a.session.accessToken();
    expectClearRefusal(refreshed, /another user.*run `hourglass login`/);
    expect(await storedSession()).toBeNull();
    expect(await a.session.accessToken()).toMatchObject({ ok: false });
  });

  it('never takes the subject from a userinfo answer for another subject (userinfo sub mismatch)', async () => {
    // The agent does not call userinfo: who signed in is the validated ID token's `sub`.
    idp.behaviour.userinfoSub = 'mallory';
    const a = agent();
    expect(await signIn(a)).toMatchObject({ ok: true, value: { subject: 'alice' } });
    expect(a.session.signedInSubject()).toBe('alice');
    expect(idp.hits.get('/userinfo') ?? 0).toBe(0);
  });

  it('runs one interactive sign-in at a time: concurrent callers join it and open no second browser', async () => {
    // Two authorize pages at once would let a phishing page race the real one for the callback.
    const a = agent();
    const authorizeHits = idp.hits.get('/authorize') ?? 0;
    const begun = await Promise.all([
      a.flow.begin({ openBrowser: true }),
      a.flow.begin({ openBrowser: true }),
    ]);
    const [first, second] = begun.map((b) => {
      if (!b.ok) throw new Error(b.error.message);
      return b.value;
    });
    expect(second).toEqual(first);
    expect(a.opened).toHaveLength(1);
    // A third caller after the start joins too.
    const third = await a.flow.begin({ openBrowser: true });
    expect(third).toEqual({ ok: true, value: first });
    await fetch(first?.authorizationUrl ?? '');
    const outcomes = await Promise.all([
      a.flow.wait(first?.loginId ?? ''),
      a.flow.wait(second?.loginId ?? ''),
    ]);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ ok: true, value: { subject: 'alice' } });
    expect(a.opened).toHaveLength(1);
    expect((idp.hits.get('/authorize') ?? 0) - authorizeHits).toBe(1);
  });

  describe('good providers still work', () => {
    async function signInThenRefresh(between?: () => Promise<void>): Promise<void> {
      const a = agent();
      expect(await signIn(a)).toMatchObject({ ok: true, value: { subject: 'alice' } });
      const first = await storedSession();
      expect(first).not.toBeNull();
      await between?.();
      anHourLater();
      const refreshed = await a.session.accessToken();
      expect(refreshed.ok).toBe(true);
      const second = await storedSession();
      expect(second).not.toBeNull();
      expect(second).not.toBe(first);
    }

    it('signs in and refreshes', async () => {
      await signInThenRefresh();
    });

    it('refreshes after the provider rotated its signing key (key rotation)', async () => {
      await signInThenRefresh(() => idp.rotateKey());
    });

    it('signs in and refreshes with a key set of one key and no kid', async () => {
      idp.behaviour.noKid = true;
      await signInThenRefresh();
    });
  });
});
