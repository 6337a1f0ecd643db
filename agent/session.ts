/**
 * The IdP session: access token in memory only, refresh token only in the keychain, refresh on
 * expiry single-flight within the process (a rotated refresh token reused would revoke the session).
 */
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import type { Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import type { Vault } from './keychain.vault.ts';
import { SESSION_ACCOUNT } from './keychain.vault.ts';
import type { OidcConnection } from './login/oidc-connection.ts';
import { isInvalidGrant } from './login/oidc-connection.ts';
import type { IdpRevocation } from '../protocol/index.ts';
import { withRefreshLock } from './session-refresh-lock.ts';
import type { AudienceParameter } from '../protocol/broker-api.ts';
import { audienceParams } from './login/audience-request.ts';

/** The signed-in session. */
export interface Session {
  /** A valid access token for the broker, refreshing it if needed. */
  accessToken(): Promise<Result<string>>;
  /** Adopts tokens from a completed login; the refresh token goes to the keychain. */
  adopt(tokens: client.TokenEndpointResponse): Promise<Result<void>>;
  /** The `sub` of the last sign-in's ID token (validated by the login), while this process runs. */
  signedInSubject(): string | null;
  /**
   * Revokes the refresh token at the IdP (RFC 7009) where offered, then forgets the in-memory token.
   * Keychain is the caller's. Answers whether the IdP revoked it (honestly: `failed` when it could
   * not be reached) and its RP-initiated logout URLs when it offers logout.
   */
  end(): Promise<SessionEnd>;
}

/** How a sign-out went at the IdP. */
export interface SessionEnd {
  revocation: IdpRevocation;
  /**
   * The IdP's logout page to show or print: `client_id` only (RP-Initiated Logout allows it), never
   * the ID token (issue 18, finding 11: a printed `id_token_hint` leaks it to scrollback and logs).
   */
  endSessionUrl: string | null;
  /** The same page naming the session by `id_token_hint`: only for the system browser, never shown. */
  browserUrl: string | null;
}

/**
 * The session keychain item: the refresh token and the ID token (kept only for `id_token_hint`
 * at sign-out). Items written before the ID token was kept hold the bare refresh token.
 */
interface SessionItem {
  refreshToken: string;
  idToken: string | null;
  /** The issuer that minted it; absent in items written before it was kept. */
  issuer?: string;
}

/** `sub` of an ID token the login flow already validated (signature, issuer, nonce). */
function idTokenSubject(idToken: string | undefined): string | null {
  if (!idToken) return null;
  try {
    const sub = decodeJwt(idToken).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

function readItem(text: string | null): SessionItem | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'refreshToken' in parsed) {
      const { refreshToken, idToken, issuer } = parsed as {
        refreshToken: unknown;
        idToken?: unknown;
        issuer?: unknown;
      };
      if (typeof refreshToken === 'string')
        return {
          refreshToken,
          idToken: typeof idToken === 'string' ? idToken : null,
          ...(typeof issuer === 'string' ? { issuer } : {}),
        };
    }
  } catch {
    // Not JSON: an item from before the ID token was kept.
  }
  return { refreshToken: text, idToken: null };
}

/**
 * Whether a stored session item can sign this profile in: present, and minted by `issuer` (items
 * from before the issuer was kept are accepted).
 */
export function isSessionOf(text: string | null, issuer: string): boolean {
  const item = readItem(text);
  return item !== null && (item.issuer === undefined || item.issuer === issuer);
}

/** What the session needs. */
export interface SessionDeps {
  oidc: OidcConnection;
  vault: Vault;
  clock: Clock;
  audience: string;
  /** How the IdP is asked for `audience` (default `resource`). */
  audienceParameter?: AudienceParameter;
  /** The profile's IdP: a session item minted by another issuer is not this profile's session. */
  issuer: string;
  /**
   * The refresh lock file shared by every process of the profile (`<dataDir>/refresh.lock`);
   * absent: single-flight within this process only.
   */
  refreshLockPath?: string;
  /** Randomness for the backoff jitter (tests pin it). */
  random?: () => number;
}

const SKEW_MS = 30_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

/** The wait after `failures` failed refreshes in a row: doubling, capped, jittered to 50–100 %. */
export function refreshBackoffMs(failures: number, random: number): number {
  const full = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (0.5 + random / 2));
}
const notLoggedIn = () =>
  fail<never>('not_logged_in', 'You are not signed in; run `hourglass login`');

/** Creates the session. */
export function createSession(deps: SessionDeps): Session {
  let access: { token: string; expiresAt: number } | null = null;
  let refreshing: Promise<Result<string>> | null = null;
  // Logout races a refresh in flight: each sign-in and sign-out starts a new generation, and a
  // refresh from an older one neither stores its rotated token nor signs the user back in.
  let generation = 0;
  let signedOut = false;
  let subject: string | null = null;

  async function revoke(
    config: client.Configuration,
    refreshToken: string,
  ): Promise<IdpRevocation> {
    if (!config.serverMetadata().revocation_endpoint) return 'not_offered';
    try {
      await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
      return 'revoked';
    } catch {
      // The keychain item is deleted either way; the caller says it was not revoked.
      return 'failed';
    }
  }

  async function keep(
    tokens: client.TokenEndpointResponse,
    previousIdToken: string | null,
  ): Promise<Result<string>> {
    if (tokens.refresh_token) {
      const item: SessionItem = {
        refreshToken: tokens.refresh_token,
        idToken: tokens.id_token ?? previousIdToken,
        issuer: deps.issuer,
      };
      const stored = await deps.vault.store(SESSION_ACCOUNT, JSON.stringify(item));
      if (!stored.ok) return stored;
    }
    const lifetime = (tokens.expires_in ?? 60) * 1000;
    access = {
      token: tokens.access_token,
      expiresAt: deps.clock.now() + lifetime - Math.min(SKEW_MS, lifetime / 2),
    };
    return ok(tokens.access_token);
  }

  let failures = 0;
  let retryAt = 0;

  async function refreshWith(started: number): Promise<Result<string>> {
    // Read under the lock: another process may have rotated the token a moment ago.
    const stored = await deps.vault.read(SESSION_ACCOUNT);
    if (!stored.ok) return stored;
    const item = readItem(stored.value);
    if (!item) return notLoggedIn();
    if (item.issuer !== undefined && item.issuer !== deps.issuer) {
      // The profile now points at another IdP (or a dead demo's): that refresh token cannot
      // sign this profile in, and keeping it would leave a secret no one can use or revoke.
      await deps.vault.remove(SESSION_ACCOUNT);
      return notLoggedIn();
    }
    const config = await deps.oidc.configuration();
    if (!config.ok) return config;
    try {
      const tokens = await client.refreshTokenGrant(
        config.value,
        item.refreshToken,
        audienceParams(deps.audience, deps.audienceParameter ?? 'resource', 'refresh'),
      );
      if (started !== generation) {
        if (tokens.refresh_token) await revoke(config.value, tokens.refresh_token);
        return notLoggedIn();
      }
      if (!sameSubject(item, tokens)) return await refuseForeignRefresh(config.value, tokens);
      return await keep(tokens, item.idToken);
    } catch (error) {
      if (!isInvalidGrant(error)) return unavailable();
      await deps.vault.remove(SESSION_ACCOUNT);
      return fail(
        'not_logged_in',
        'Your session has ended at the identity provider; run `hourglass login`',
      );
    }
  }

  /**
   * Whether a refresh answered for the signed-in user (OIDC Core 12.2: a refreshed ID token's `sub`
   * must be the original one). Without it, a misbehaving IdP could swap the user mid-session.
   */
  function sameSubject(item: SessionItem, tokens: client.TokenEndpointResponse): boolean {
    const before = idTokenSubject(item.idToken ?? undefined) ?? subject;
    const after = idTokenSubject(tokens.id_token);
    return before === null || after === null || before === after;
  }

  async function refuseForeignRefresh(
    config: client.Configuration,
    tokens: client.TokenEndpointResponse,
  ): Promise<Result<string>> {
    // Nothing of the other user's is kept, and this user's session ends: sign in again.
    if (tokens.refresh_token) await revoke(config, tokens.refresh_token);
    access = null;
    subject = null;
    await deps.vault.remove(SESSION_ACCOUNT);
    return fail(
      'not_logged_in',
      'The identity provider answered the session refresh for another user, so it was refused and nothing was kept; run `hourglass login`',
    );
  }

  const unavailable = () =>
    fail<string>(
      'unavailable',
      'The identity provider could not refresh your session; retry shortly',
    );

  async function refresh(): Promise<Result<string>> {
    if (signedOut) return notLoggedIn();
    // IdP down: wait out a jittered, doubling backoff instead of asking on every call.
    const waitMs = retryAt - deps.clock.now();
    if (waitMs > 0)
      return fail(
        'unavailable',
        `The identity provider is unreachable; the next try is in ${Math.ceil(waitMs / 1000)} s (your grants keep counting down)`,
      );
    const started = generation;
    const run = () => refreshWith(started);
    const result = deps.refreshLockPath
      ? await withRefreshLock(deps.refreshLockPath, run)
      : await run();
    if (!result.ok && result.error.code === 'unavailable') {
      failures += 1;
      retryAt = deps.clock.now() + refreshBackoffMs(failures, (deps.random ?? Math.random)());
    } else {
      failures = 0;
      retryAt = 0;
    }
    return result;
  }

  return {
    async accessToken() {
      if (access && access.expiresAt > deps.clock.now()) return ok(access.token);
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
    signedInSubject: () => subject,
    async adopt(tokens) {
      generation += 1;
      signedOut = false;
      failures = 0;
      retryAt = 0;
      subject = idTokenSubject(tokens.id_token);
      if (!tokens.refresh_token) {
        // A new login without a refresh token must not leave the previous user's one behind.
        const removed = await deps.vault.remove(SESSION_ACCOUNT);
        if (!removed.ok) return removed;
      }
      const kept = await keep(tokens, null);
      return kept.ok ? ok(undefined) : kept;
    },
    async end() {
      generation += 1;
      signedOut = true;
      access = null;
      subject = null;
      await refreshing;
      const stored = await deps.vault.read(SESSION_ACCOUNT);
      const item = stored.ok ? readItem(stored.value) : null;
      const none = { endSessionUrl: null, browserUrl: null };
      if (!item) return { revocation: 'no_session', ...none };
      const config = await deps.oidc.configuration();
      if (!config.ok) return { revocation: 'failed', ...none };
      const revocation = await revoke(config.value, item.refreshToken);
      if (!config.value.serverMetadata().end_session_endpoint) return { revocation, ...none };
      const params = { client_id: config.value.clientMetadata().client_id };
      const hint = item.idToken ? { ...params, id_token_hint: item.idToken } : params;
      return {
        revocation,
        endSessionUrl: client.buildEndSessionUrl(config.value, params).href,
        browserUrl: client.buildEndSessionUrl(config.value, hint).href,
      };
    },
  };
}
