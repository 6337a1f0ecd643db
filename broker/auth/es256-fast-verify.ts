/**
 * A fast path for the common access token: ES256, signed by a key of the issuer's already-fetched
 * key set, with plainly valid claims. The signature is checked with node:crypto in this thread
 * (WebCrypto, which jose uses, costs about twice the CPU per verification: bench/README.md).
 * It only ever accepts: anything unusual, invalid or borderline answers `undefined`, and the
 * caller then verifies with jose, which gives the precise refusal.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { z } from 'zod';

/** What the token must satisfy, as the caller gives it to jose too. */
export interface FastVerifyExpectations {
  issuer: string;
  audience: string;
  /** The broker's now, epoch seconds. */
  nowSeconds: number;
  /** The `typ` header required, if any (compared exactly here; jose normalises). */
  typ?: string | undefined;
  maxTokenAgeSeconds?: number | undefined;
}

const PART = /^[A-Za-z0-9_-]+$/;
// Strict: any other header parameter (crit, b64, jku, jwk, x5c, …) goes to jose.
const headerSchema = z.strictObject({
  alg: z.literal('ES256'),
  kid: z.string().optional(),
  typ: z.string().optional(),
});
const payloadSchema = z.looseObject({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number().finite(),
  iat: z.number().finite(),
  nbf: z.number().finite().optional(),
});

const keyObjects = new WeakMap<JWK, KeyObject>();

function keyObjectOf(jwk: JWK): KeyObject | undefined {
  let key = keyObjects.get(jwk);
  if (!key) {
    try {
      key = createPublicKey({
        key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
        format: 'jwk',
      });
    } catch {
      return undefined;
    }
    keyObjects.set(jwk, key);
  }
  return key;
}

/** The one P-256 verification key of `keys` that the header names; none or several: undefined. */
function keyFor(keys: JSONWebKeySet, kid: string | undefined): KeyObject | undefined {
  const candidates = keys.keys.filter(
    (jwk) =>
      jwk.kty === 'EC' &&
      jwk.crv === 'P-256' &&
      (kid === undefined || jwk.kid === kid) &&
      (jwk.alg === undefined || jwk.alg === 'ES256') &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.key_ops === undefined || jwk.key_ops.includes('verify')),
  );
  const [only] = candidates;
  return candidates.length === 1 && only ? keyObjectOf(only) : undefined;
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the claims are plainly valid now (no clock tolerance used: borderline goes to jose). */
function claimsHold(
  payload: z.output<typeof payloadSchema>,
  want: FastVerifyExpectations,
): boolean {
  const now = want.nowSeconds;
  const audience = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  return (
    payload.iss === want.issuer &&
    audience.includes(want.audience) &&
    payload.exp > now &&
    payload.iat <= now &&
    (payload.nbf === undefined || payload.nbf <= now) &&
    (want.maxTokenAgeSeconds === undefined || now - payload.iat <= want.maxTokenAgeSeconds)
  );
}

/** The token's payload when it is certainly valid; otherwise undefined (verify with jose). */
export function verifyEs256Fast(
  token: string,
  keys: JSONWebKeySet | undefined,
  want: FastVerifyExpectations,
): JWTPayload | undefined {
  if (!keys) return undefined;
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || !signaturePart) return undefined;
  if (!PART.test(headerPart) || !PART.test(payloadPart) || !PART.test(signaturePart))
    return undefined;
  const header = headerSchema.safeParse(decodeJson(headerPart));
  if (!header.success) return undefined;
  if (want.typ !== undefined && header.data.typ !== want.typ) return undefined;
  const key = keyFor(keys, header.data.kid);
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!key || signature.length !== 64) return undefined;
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) return undefined;
  const payload = payloadSchema.safeParse(decodeJson(payloadPart));
  if (!payload.success || !claimsHold(payload.data, want)) return undefined;
  return payload.data;
}
