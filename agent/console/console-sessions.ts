/**
 * Console sessions: single-use bootstrap tokens (printed in the URL fragment) traded for one
 * expiring session per client. Tokens are kept only as SHA-256 digests, so a lookup compares
 * digests of the caller's input, never the secret itself character by character.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Default lifetime of a console session (a working day). */
export const defaultSessionTtlMs = 12 * 3600_000;

/** Most sessions held at once; the oldest is dropped beyond this. */
const maxSessions = 64;

/**
 * Lifetime of an unused bootstrap link (`hourglass console` mints one on demand): a link left in
 * a scrollback or a shell history opens nothing after this.
 */
export const bootstrapTtlMs = 10 * 60_000;

/** Most unused bootstrap links held at once; the oldest is dropped beyond this. */
const maxBootstraps = 16;

/** What the console server needs from its session registry. */
export interface ConsoleSessions {
  /** Mints a new single-use bootstrap token (for a printed URL). */
  mintBootstrap(): string;
  /** Trades a bootstrap token for a fresh session; `null` when unknown or already used. */
  exchange(bootstrap: string): { session: string; expiresAtMs: number } | null;
  /** Is `session` a live session now? */
  isLive(session: string | undefined): boolean;
  /** Drops every session and bootstrap token (server close). */
  clear(): void;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A fresh 32-byte random token, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates the registry; `clock` is injected so expiry is testable. */
export function createConsoleSessions(
  clock: () => number = () => Date.now(),
  ttlMs: number = defaultSessionTtlMs,
): ConsoleSessions {
  const bootstraps = new Map<string, number>();
  const sessions = new Map<string, number>();
  const prune = () => {
    const now = clock();
    for (const [key, expiresAtMs] of sessions) if (expiresAtMs <= now) sessions.delete(key);
    while (sessions.size >= maxSessions) {
      const oldest = sessions.keys().next();
      if (oldest.done === true) break;
      sessions.delete(oldest.value);
    }
  };
  return {
    mintBootstrap() {
      const now = clock();
      for (const [key, expiresAtMs] of bootstraps) if (expiresAtMs <= now) bootstraps.delete(key);
      while (bootstraps.size >= maxBootstraps) {
        const oldest = bootstraps.keys().next();
        if (oldest.done === true) break;
        bootstraps.delete(oldest.value);
      }
      const token = newToken();
      bootstraps.set(digest(token), now + bootstrapTtlMs);
      return token;
    },
    exchange(bootstrap) {
      // Single use: the token is gone the moment it is presented, valid or not afterwards.
      const key = digest(bootstrap);
      const linkExpiresAtMs = bootstraps.get(key);
      bootstraps.delete(key);
      if (linkExpiresAtMs === undefined || linkExpiresAtMs <= clock()) return null;
      prune();
      const session = newToken();
      const expiresAtMs = clock() + ttlMs;
      sessions.set(digest(session), expiresAtMs);
      return { session, expiresAtMs };
    },
    isLive(session) {
      if (session === undefined) return false;
      const expiresAtMs = sessions.get(digest(session));
      return expiresAtMs !== undefined && expiresAtMs > clock();
    },
    clear() {
      bootstraps.clear();
      sessions.clear();
    },
  };
}
