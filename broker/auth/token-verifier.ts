/** Verifies bearer access tokens locally against the trusted issuers' JWKS (jose). */
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Me } from '../../protocol/broker-api.ts';
import type { Result } from '../../protocol/result.ts';
import { unsafeCharacter } from '../../protocol/plain-text.ts';
import type { Clock } from '../ports.ts';
import { Es256FastPath, type FastVerifyExpectations } from './es256-fast-verify.ts';
import {
  discoverKeySet,
  isJwksOutage,
  type IssuerKeySet,
  type KeySetSource,
} from './issuer-key-set.ts';
import { mapClaims, type ClaimMapping } from './issuer-claims.ts';
import { badTimeClaim, badTimeClaimMessage } from './token-times.ts';
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
  /** Oldest accepted token, by `iat`, in seconds; absent: `DEFAULT_MAX_TOKEN_AGE_SECONDS`. */
  maxTokenAgeSeconds?: number | undefined;
}

/**
 * How old (by `iat`) an access token may be when an issuer sets no `maxTokenAgeSeconds`: one
 * hour, the usual access-token lifetime (Okta, Entra ID, Google). Why a default: a token whose
 * `exp` the IdP set far ahead (or that leaked) would otherwise work until then.
 */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 3600;

const maxTokenAge = (trusted: TrustedIssuer): number =>
  trusted.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;

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
  return Math.min(
    (payload.exp ?? 0) * 1000,
    nowMs + VERIFIED_CACHE_MS,
    ((payload.iat ?? 0) + maxTokenAge(trusted)) * 1000,
  );
}

/** Verifies a bearer token. Fails with `unauthenticated` (bad token) or `unavailable` (IdP unreachable). */
export type TokenVerifier = (token: string) => Promise<Result<Caller>>;

function unauthenticatedError(why: string) {
  return { code: 'unauthenticated' as const, message: `${why}; ${SIGN_IN_AGAIN}` };
}

function unauthenticated(why: string): Result<Caller> {
  return { ok: false, error: unauthenticatedError(why) };
}

/** The session end, range-checked by `badTimeClaim` before this reads it. */
function sessionEnd(payload: JWTPayload, claim: string): Date | undefined {
  const value = payload[claim];
  return typeof value === 'number' ? new Date(value * 1000) : undefined;
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

function unavailable(): Result<Caller> {
  return {
    ok: false,
    error: {
      code: 'unavailable',
      message: 'the identity provider cannot be reached; try again shortly',
    },
  };
}

/** What the client is told when jose refuses a token. */
function refusalOf(error: unknown, trusted: TrustedIssuer): Result<Caller> {
  if (error instanceof joseErrors.JWTExpired) {
    return error.claim === 'iat'
      ? unauthenticated(
          `the access token was issued more than ${maxTokenAge(trusted)} seconds ago, longer than this broker accepts`,
        )
      : unauthenticated('the access token has expired');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return unauthenticated(`the access token's ${error.claim} claim is not valid for this broker`);
  if (isJwksOutage(error)) return unavailable();
  return unauthenticated('the access token could not be verified');
}

/** jose's options for `trusted`: the same checks the fast path makes, with the clock tolerance. */
export function joseOptions(trusted: TrustedIssuer, now: Date) {
  return {
    issuer: trusted.issuer,
    audience: trusted.audience,
    algorithms: ALGORITHMS,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    currentDate: now,
    requiredClaims: ['exp', 'iat', 'sub'],
    maxTokenAge: maxTokenAge(trusted),
    ...(trusted.accessTokenType ? { typ: trusted.accessTokenType } : {}),
  };
}

/** What the fast path checks for `trusted`: a subset of what jose accepts with `joseOptions`. */
export function fastExpectations(trusted: TrustedIssuer, now: Date): FastVerifyExpectations {
  return {
    issuer: trusted.issuer,
    audience: trusted.audience,
    nowSeconds: now.getTime() / 1000,
    typ: trusted.accessTokenType,
    maxTokenAgeSeconds: maxTokenAge(trusted),
  };
}

/** The checks after the signature: time claims in range, not from the future, a subject. */
function callerOf(trusted: TrustedIssuer, payload: JWTPayload, now: Date): Result<Caller> {
  const sessionClaim = trusted.sessionClaim ?? DEFAULT_SESSION_CLAIM;
  const badClaim = badTimeClaim(payload, sessionClaim);
  if (badClaim !== undefined) return unauthenticated(badTimeClaimMessage(badClaim));
  // A token from the future means a broken or forged clock.
  if ((payload.iat ?? Infinity) > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS)
    return unauthenticated('the access token was issued in the future');
  return toCaller(trusted, payload);
}

/** Injected parts of the verifier (tests give a local key set). */
export interface TokenVerifierPorts {
  keySets?: KeySetSource;
  /** `false`: jose alone (the differential test's reference); default: with the ES256 fast path. */
  fastPath?: boolean;
}

/** Each issuer's key set, discovered on first use and kept; a failed discovery is retried. */
function keySetCache(source: KeySetSource): (issuer: string) => Promise<IssuerKeySet> {
  const byIssuer = new Map<string, Promise<IssuerKeySet>>();
  return (issuer) => {
    let keySet = byIssuer.get(issuer);
    if (!keySet) {
      keySet = source(issuer);
      keySet.catch(() => byIssuer.delete(issuer));
      byIssuer.set(issuer, keySet);
    }
    return keySet;
  };
}

/** The trusted issuer a token names, or the refusal. */
function issuerOf(
  token: string,
  issuers: readonly TrustedIssuer[],
  tenant: string | undefined,
): Result<TrustedIssuer> {
  let unverifiedIssuer: string | undefined;
  try {
    unverifiedIssuer = decodeJwt(token).iss;
  } catch {
    return { ok: false, error: unauthenticatedError('the access token is not a JWT') };
  }
  const trusted = issuers.find((i) => i.issuer === unverifiedIssuer);
  if (!trusted) {
    return {
      ok: false,
      error: unauthenticatedError(
        'the access token comes from an issuer this broker does not trust',
      ),
    };
  }
  if (tenant !== undefined && trusted.tenants && !trusted.tenants.includes(tenant)) {
    return {
      ok: false,
      error: {
        code: 'forbidden',
        message: `your identity provider may not act in tenant ${tenant}; use one trusted for it`,
      },
    };
  }
  return { ok: true, value: trusted };
}

/** Builds a verifier for `issuers`; each issuer's JWKS is discovered on first use and cached. */
export function createTokenVerifier(
  issuers: readonly TrustedIssuer[],
  clock: Clock,
  /** The tenant this broker serves: issuers limited to other tenants are refused. */
  tenant?: string,
  ports: TokenVerifierPorts = {},
): TokenVerifier {
  const keySetFor = keySetCache(ports.keySets ?? discoverKeySet);
  const verified = new VerifiedTokenCache<Result<Caller>>(VERIFIED_CACHE_SIZE);
  const fastPath = ports.fastPath === false ? undefined : new Es256FastPath();
  /** The caller of a token whose signature was verified (remembered until `cacheUntil`). */
  const accept = (token: string, trusted: TrustedIssuer, payload: JWTPayload, now: Date) => {
    const caller = callerOf(trusted, payload, now);
    if (caller.ok) verified.set(token, caller, cacheUntil(trusted, payload, now.getTime()));
    return caller;
  };
  return async (token) => {
    const cached = verified.get(token, clock.now().getTime());
    if (cached) return cached;
    const named = issuerOf(token, issuers, tenant);
    if (!named.ok) return named;
    const trusted = named.value;
    let keySet: IssuerKeySet;
    try {
      keySet = await keySetFor(trusted.issuer);
    } catch {
      return unavailable();
    }
    const now = clock.now();
    const fast = await fastPath?.verify(token, keySet, fastExpectations(trusted, now));
    if (fast) return accept(token, trusted, fast, now);
    try {
      const verifiedNow = clock.now();
      const { payload, protectedHeader, key } = await jwtVerify(
        token,
        keySet,
        joseOptions(trusted, verifiedNow),
      );
      // Only a key jose resolved and verified with may serve the fast path (issue 18, finding 1).
      fastPath?.learn(protectedHeader, key);
      return accept(token, trusted, payload, verifiedNow);
    } catch (error) {
      return refusalOf(error, trusted);
    }
  };
}
