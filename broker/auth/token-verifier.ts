/** Verifies bearer access tokens locally against the trusted issuers' JWKS (jose). */
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import type { Me } from '../../protocol/broker-api.ts';
import type { Result } from '../../protocol/result.ts';
import { unsafeCharacter } from '../../protocol/plain-text.ts';
import type { Clock } from '../ports.ts';
import { verifyEs256Fast } from './es256-fast-verify.ts';
import { mapClaims, type ClaimMapping } from './issuer-claims.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** Who called, as proven by the token. */
export interface Caller extends Me {
  tokenExpiresAt: Date;
  /** When the caller's IdP session ends (the issuer's session claim), where the token says. */
  sessionEndsAt?: Date;
}

/** A trusted issuer and the audience its tokens must carry. */
export interface TrustedIssuer {
  issuer: string;
  audience: string;
  /** Claim carrying the end of the IdP session in epoch seconds (default `session_exp`). */
  sessionClaim?: string;
  /** Qualifies this issuer's group names in policy (`name:group`); unnamed: bare names. */
  name?: string | undefined;
  /** Where this issuer puts subject, email, name and groups (dotted paths). */
  claims?: Partial<ClaimMapping> | undefined;
  /** Tenants this issuer's users may act in; absent: any. */
  tenants?: readonly string[] | undefined;
  /** The JWT `typ` header this issuer sets on access tokens (RFC 9068: `at+jwt`); absent: any. */
  accessTokenType?: string | undefined;
  /** Oldest accepted token, by `iat`, in seconds; absent: only `exp` limits it. */
  maxTokenAgeSeconds?: number | undefined;
}

/** The session claim the demo IdP adds to its access tokens. */
export const DEFAULT_SESSION_CLAIM = 'session_exp';

// Why: asymmetric algorithms only. `none` and HS* would let anyone who knows (or guesses) a shared
// secret — or no secret at all — mint tokens the broker accepts.
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;
const SIGN_IN_AGAIN = 'sign in again with `hourglass login`';

// Verified tokens remembered: up to this many, each at most this long (and never past its `exp`,
// nor past `iat` + the issuer's maximum age). The cap bounds how long a token signed by a key the
// IdP has since withdrawn from its JWKS keeps working.
const VERIFIED_CACHE_SIZE = 20_000;
const VERIFIED_CACHE_MS = 5 * 60_000;

/** Until when a verified token may be answered from the cache (epoch ms). */
function cacheUntil(trusted: TrustedIssuer, payload: JWTPayload, nowMs: number): number {
  let until = Math.min((payload.exp ?? 0) * 1000, nowMs + VERIFIED_CACHE_MS);
  if (trusted.maxTokenAgeSeconds !== undefined && payload.iat !== undefined)
    until = Math.min(until, (payload.iat + trusted.maxTokenAgeSeconds) * 1000);
  return until;
}

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

type Jwks = ReturnType<typeof createRemoteJWKSet>;

/** Verifies a bearer token. Fails with `unauthenticated` (bad token) or `unavailable` (IdP unreachable). */
export type TokenVerifier = (token: string) => Promise<Result<Caller>>;

async function discoverJwks(issuer: string): Promise<Jwks> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
  const meta = discoverySchema.parse(await response.json());
  if (meta.issuer !== issuer) throw new Error('discovery names a different issuer');
  return createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 5000 });
}

/**
 * The IdP's key set could not be fetched (timeout, refused connection, non-200): an outage, not a
 * bad token. Telling the user to sign in again would send them to an IdP that is down.
 */
function isJwksOutage(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout) return true;
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(error.message);
}

function unauthenticated(why: string): Result<Caller> {
  return { ok: false, error: { code: 'unauthenticated', message: `${why}; ${SIGN_IN_AGAIN}` } };
}

function sessionEnd(payload: JWTPayload, claim: string): Date | undefined {
  const value = payload[claim];
  // A session end must be a plausible epoch-seconds number; anything else is ignored (no cap).
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? new Date(value * 1000)
    : undefined;
}

function toCaller(trusted: TrustedIssuer, payload: JWTPayload): Result<Caller> {
  const issuer = trusted.issuer;
  const sessionEndsAt = sessionEnd(payload, trusted.sessionClaim ?? DEFAULT_SESSION_CLAIM);
  const claims = mapClaims(payload, trusted.claims, trusted.name);
  if (!claims || payload.exp === undefined)
    return unauthenticated('the access token lacks required claims');
  // The subject names the caller in every grant, audit row, approval list and certificate: one
  // with a control or text-direction character is refused, never shown (issue 18, finding 4).
  const hidden = unsafeCharacter(claims.subject);
  if (hidden !== null)
    return {
      ok: false,
      error: {
        code: 'unauthenticated',
        message: `the access token's subject contains ${hidden}, a control or text-direction character; ask your identity provider's admin to fix the account`,
      },
    };
  return {
    ok: true,
    value: {
      subject: claims.subject,
      issuer,
      ...(claims.name !== undefined ? { name: claims.name } : {}),
      ...(claims.email !== undefined ? { email: claims.email } : {}),
      groups: claims.groups,
      tokenExpiresAt: new Date(payload.exp * 1000),
      ...(sessionEndsAt ? { sessionEndsAt } : {}),
    },
  };
}

/** Builds a verifier for `issuers`; each issuer's JWKS is discovered on first use and cached. */
export function createTokenVerifier(
  issuers: readonly TrustedIssuer[],
  clock: Clock,
  /** The tenant this broker serves: issuers limited to other tenants are refused. */
  tenant?: string,
): TokenVerifier {
  const jwksByIssuer = new Map<string, Promise<Jwks>>();
  const jwksFor = (issuer: string): Promise<Jwks> => {
    let jwks = jwksByIssuer.get(issuer);
    if (!jwks) {
      jwks = discoverJwks(issuer);
      jwks.catch(() => jwksByIssuer.delete(issuer));
      jwksByIssuer.set(issuer, jwks);
    }
    return jwks;
  };
  const verified = new VerifiedTokenCache<Result<Caller>>(VERIFIED_CACHE_SIZE);
  // The fast path's copy of each issuer's key set (jose hands out a fresh clone per call), used
  // only while jose holds the set fresh; a stale set makes the next token go through jose, which
  // fetches it again.
  const snapshots = new Map<string, JSONWebKeySet | undefined>();
  const keySetOf = (issuer: string, jwks: Jwks): JSONWebKeySet | undefined => {
    if (!jwks.fresh) return undefined;
    if (!snapshots.has(issuer)) snapshots.set(issuer, jwks.jwks());
    return snapshots.get(issuer);
  };
  /** The caller of a token whose signature and claims were verified (remembered until `cacheUntil`). */
  const accept = (
    token: string,
    trusted: TrustedIssuer,
    payload: JWTPayload,
    now: Date,
  ): Result<Caller> => {
    // jose does not check `iat` without maxTokenAge; a token from the future means a broken or forged clock.
    if ((payload.iat ?? Infinity) > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      return unauthenticated('the access token was issued in the future');
    }
    const caller = toCaller(trusted, payload);
    if (caller.ok) verified.set(token, caller, cacheUntil(trusted, payload, now.getTime()));
    return caller;
  };
  return async (token) => {
    const cached = verified.get(token, clock.now().getTime());
    if (cached) return cached;
    let unverifiedIssuer: string | undefined;
    try {
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      return unauthenticated('the access token is not a JWT');
    }
    const trusted = issuers.find((i) => i.issuer === unverifiedIssuer);
    if (!trusted)
      return unauthenticated('the access token comes from an issuer this broker does not trust');
    if (tenant !== undefined && trusted.tenants && !trusted.tenants.includes(tenant)) {
      return {
        ok: false,
        error: {
          code: 'forbidden',
          message: `your identity provider may not act in tenant ${tenant}; use one trusted for it`,
        },
      };
    }
    let jwks: Jwks;
    try {
      jwks = await jwksFor(trusted.issuer);
    } catch {
      return {
        ok: false,
        error: {
          code: 'unavailable',
          message: 'the identity provider cannot be reached; try again shortly',
        },
      };
    }
    const now = clock.now();
    const fast = verifyEs256Fast(token, keySetOf(trusted.issuer, jwks), {
      issuer: trusted.issuer,
      audience: trusted.audience,
      nowSeconds: now.getTime() / 1000,
      typ: trusted.accessTokenType,
      maxTokenAgeSeconds: trusted.maxTokenAgeSeconds,
    });
    if (fast) return accept(token, trusted, fast, now);
    // jose may fetch the key set again: the fast path takes a new snapshot after it.
    snapshots.delete(trusted.issuer);
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: clock.now(),
        requiredClaims: ['exp', 'iat', 'sub'],
        ...(trusted.accessTokenType ? { typ: trusted.accessTokenType } : {}),
        ...(trusted.maxTokenAgeSeconds !== undefined
          ? { maxTokenAge: trusted.maxTokenAgeSeconds }
          : {}),
      });
      return accept(token, trusted, payload, clock.now());
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        return unauthenticated('the access token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        return unauthenticated(
          `the access token's ${error.claim} claim is not valid for this broker`,
        );
      }
      if (isJwksOutage(error)) {
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: 'the identity provider cannot be reached; try again shortly',
          },
        };
      }
      return unauthenticated('the access token could not be verified');
    }
  };
}
