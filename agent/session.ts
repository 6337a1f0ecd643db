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

/** The signed-in session. */
export interface Session {
  /** A valid access token for the broker, refreshing it if needed. */
  accessToken(): Promise<Result<string>>;
  /** Adopts tokens from a completed login; the refresh token goes to the keychain. */
  adopt(tokens: client.TokenEndpointResponse): Promise<Result<void>>;
  /** The `sub` of the last sign-in's ID token (validated by the login), while this process runs. */
  signedInSubject(): string | null;
  /**
   * Best-effort revocation at the IdP, then forgets the in-memory token. Keychain is the caller's.
   * Answers the IdP's RP-initiated logout URL (with `id_token_hint`) when it offers one.
   */
  end(): Promise<string | null>;
}

/**
 * The session keychain item: the refresh token and the ID token (kept only for `id_token_hint`
 * at sign-out). Items written before the ID token was kept hold the bare refresh token.
 */
interface SessionItem {
  refreshToken: string;
  idToken: string | null;
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
      const { refreshToken, idToken } = parsed as { refreshToken: unknown; idToken?: unknown };
      if (typeof refreshToken === 'string')
        return { refreshToken, idToken: typeof idToken === 'string' ? idToken : null };
    }
  } catch {
    // Not JSON: an item from before the ID token was kept.
  }
  return { refreshToken: text, idToken: null };
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
  let subject: string | null = null;

  async function revoke(config: client.Configuration, refreshToken: string): Promise<void> {
    await client
      .tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' })
      .catch(() => {
        // Best effort: the keychain item is deleted either way.
      });
  }

  async function keep(
    tokens: client.TokenEndpointResponse,
    previousIdToken: string | null,
  ): Promise<Result<string>> {
    if (tokens.refresh_token) {
      const item: SessionItem = {
        refreshToken: tokens.refresh_token,
        idToken: tokens.id_token ?? previousIdToken,
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

  async function refresh(): Promise<Result<string>> {
    if (signedOut) return notLoggedIn();
    const started = generation;
    const stored = await deps.vault.read(SESSION_ACCOUNT);
    if (!stored.ok) return stored;
    const item = readItem(stored.value);
    if (!item) return notLoggedIn();
    const config = await deps.oidc.configuration();
    if (!config.ok) return config;
    try {
      const tokens = await client.refreshTokenGrant(config.value, item.refreshToken, {
        resource: deps.audience,
      });
      if (started !== generation) {
        if (tokens.refresh_token) await revoke(config.value, tokens.refresh_token);
        return notLoggedIn();
      }
      return await keep(tokens, item.idToken);
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
    signedInSubject: () => subject,
    async adopt(tokens) {
      generation += 1;
      signedOut = false;
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
      const config = await deps.oidc.configuration();
      if (!item || !config.ok) return null;
      await revoke(config.value, item.refreshToken);
      if (!config.value.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = { client_id: config.value.clientMetadata().client_id };
      if (item.idToken) params.id_token_hint = item.idToken;
      return client.buildEndSessionUrl(config.value, params).href;
    },
  };
}
