/**
 * The IdP session: access token in memory only, refresh token only in the keychain, refresh on
 * expiry single-flight within the process (a rotated refresh token reused would revoke the session).
 */
import * as client from 'openid-client';
import type { Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import type { Vault } from './keychain.vault.ts';
import { SESSION_ACCOUNT } from './keychain.vault.ts';
import type { OidcConnection } from './login/oidc-connection.ts';
import { isInvalidGrant } from './login/oidc-connection.ts';

/** The signed-in session. */
export interface Session {
  /** A valid access token for the broker, refreshing it if needed. */
  accessToken(): Promise<Result<string>>;
  /** Adopts tokens from a completed login; the refresh token goes to the keychain. */
  adopt(tokens: client.TokenEndpointResponse): Promise<Result<void>>;
  /** Best-effort revocation at the IdP, then forgets the in-memory token. Keychain is the caller's. */
  end(): Promise<void>;
}

/** What the session needs. */
export interface SessionDeps {
  oidc: OidcConnection;
  vault: Vault;
  clock: Clock;
  audience: string;
}

const SKEW_MS = 30_000;
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

  async function revoke(config: client.Configuration, refreshToken: string): Promise<void> {
    await client
      .tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' })
      .catch(() => {
        // Best effort: the keychain item is deleted either way.
      });
  }

  async function keep(tokens: client.TokenEndpointResponse): Promise<Result<string>> {
    if (tokens.refresh_token) {
      const stored = await deps.vault.store(SESSION_ACCOUNT, tokens.refresh_token);
      if (!stored.ok) return stored;
    }
    const lifetime = (tokens.expires_in ?? 60) * 1000;
    access = {
      token: tokens.access_token,
      expiresAt: deps.clock.now() + lifetime - Math.min(SKEW_MS, lifetime / 2),
    };
    return ok(tokens.access_token);
  }

  async function refresh(): Promise<Result<string>> {
    if (signedOut) return notLoggedIn();
    const started = generation;
    const stored = await deps.vault.read(SESSION_ACCOUNT);
    if (!stored.ok) return stored;
    if (!stored.value) return notLoggedIn();
    const config = await deps.oidc.configuration();
    if (!config.ok) return config;
    try {
      const tokens = await client.refreshTokenGrant(config.value, stored.value, {
        resource: deps.audience,
      });
      if (started !== generation) {
        if (tokens.refresh_token) await revoke(config.value, tokens.refresh_token);
        return notLoggedIn();
      }
      return await keep(tokens);
    } catch (error) {
      if (!isInvalidGrant(error)) {
        return fail(
          'unavailable',
          'The identity provider could not refresh your session; retry shortly',
        );
      }
      await deps.vault.remove(SESSION_ACCOUNT);
      return fail(
        'not_logged_in',
        'Your session has ended at the identity provider; run `hourglass login`',
      );
    }
  }

  return {
    async accessToken() {
      if (access && access.expiresAt > deps.clock.now()) return ok(access.token);
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
    async adopt(tokens) {
      generation += 1;
      signedOut = false;
      if (!tokens.refresh_token) {
        // A new login without a refresh token must not leave the previous user's one behind.
        const removed = await deps.vault.remove(SESSION_ACCOUNT);
        if (!removed.ok) return removed;
      }
      const kept = await keep(tokens);
      return kept.ok ? ok(undefined) : kept;
    },
    async end() {
      generation += 1;
      signedOut = true;
      access = null;
      await refreshing;
      const stored = await deps.vault.read(SESSION_ACCOUNT);
      const config = await deps.oidc.configuration();
      if (!stored.ok || !stored.value || !config.ok) return;
      await revoke(config.value, stored.value);
    },
  };
}
