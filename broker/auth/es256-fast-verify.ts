/**
 * A fast path for the common access token: ES256, signed by a key jose has already resolved from
 * the issuer's key set and verified a token with, and with plainly valid claims. The signature is
 * checked with node:crypto in this thread (WebCrypto, which jose uses, costs about twice the CPU
 * per verification: bench/README.md). It only ever accepts: anything unusual, invalid or
 * borderline answers `undefined`, and the caller then verifies with jose, which gives the precise
 * refusal.
 *
 * Why it cannot accept what jose refuses (issue 18, finding 1):
 * - Key material: the key comes from jose's own key resolver (the same function `jwtVerify` is
 *   given, called with the same header), and is used only when jose has verified a token with
 *   that very key object. A JWKS entry jose refuses (private `d`, malformed `key_ops` or `ext`,
 *   wrong curve) never yields such a key, so the fast path never holds one.
 * - Decoding: header and payload are decoded with jose's base64url decoder, a fatal UTF-8 decoder
 *   and `JSON.parse`, and must be plain objects, as in jose. The header may name only `alg`
 *   (ES256), `kid` and `typ`: `crit`, `b64` and every other parameter go to jose.
 * - Claims: each check here is at least as strict as jose's with the caller's options.
 * `token-verifier.differential.test.ts` checks all of this against jose on generated tokens.
 */
import { KeyObject, verify } from 'node:crypto';
import { base64url, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload } from 'jose';
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

/** jose's key resolver for one issuer (what `createRemoteJWKSet` returns). */
export type KeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<unknown>;

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

// As jose: invalid UTF-8 is an invalid token, never replaced by U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** jose's notion of a JSON object: a plain object, not an array or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The JSON object in a base64url part, decoded exactly as jose decodes it; else undefined. */
function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(strictUtf8.decode(base64url.decode(part)));
    return isPlainObject(parsed) ? parsed : undefined;
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

/** A public ES256 verification key as jose's WebCrypto checks demand it. */
function isEs256VerifyKey(key: CryptoKey): boolean {
  const algorithm = key.algorithm as EcKeyAlgorithm;
  return (
    key.type === 'public' &&
    algorithm.name === 'ECDSA' &&
    algorithm.namedCurve === 'P-256' &&
    key.usages.includes('verify')
  );
}

/** The fast path of one verifier: the keys jose has proven, and the check itself. */
export class Es256FastPath {
  /** Keys jose resolved and verified an ES256 token with, as node:crypto key objects. */
  readonly #proven = new WeakMap<CryptoKey, KeyObject>();

  /** Remembers the key jose's `jwtVerify` returned after it verified a token with `header`. */
  learn(header: JWSHeaderParameters, key: unknown): void {
    if (header.alg !== 'ES256' || !(key instanceof CryptoKey) || !isEs256VerifyKey(key)) return;
    if (!this.#proven.has(key)) this.#proven.set(key, KeyObject.from(key));
  }

  /** The token's payload when it is certainly valid; otherwise undefined (verify with jose). */
  async verify(
    token: string,
    resolveKey: KeyResolver,
    want: FastVerifyExpectations,
  ): Promise<JWTPayload | undefined> {
    const parts = token.split('.');
    const [headerPart, payloadPart, signaturePart] = parts;
    if (parts.length !== 3 || !headerPart || !payloadPart || !signaturePart) return undefined;
    if (!PART.test(headerPart) || !PART.test(payloadPart) || !PART.test(signaturePart))
      return undefined;
    const header = decodeObject(headerPart);
    const parsedHeader = headerSchema.safeParse(header);
    if (!header || !parsedHeader.success) return undefined;
    if (want.typ !== undefined && parsedHeader.data.typ !== want.typ) return undefined;
    const key = await this.#provenKey(resolveKey, header, headerPart, payloadPart, signaturePart);
    const signature = decodeBytes(signaturePart);
    if (!key || signature?.length !== 64) return undefined;
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) return undefined;
    const payload = decodeObject(payloadPart);
    const claims = payloadSchema.safeParse(payload);
    if (!payload || !claims.success || !claimsHold(claims.data, want)) return undefined;
    // jose's object itself, not zod's copy: the caller reads exactly what jose would return.
    return payload;
  }

  /** The key jose's resolver gives for this header, if jose has verified a token with it. */
  async #provenKey(
    resolveKey: KeyResolver,
    header: JWSHeaderParameters,
    headerPart: string,
    payloadPart: string,
    signaturePart: string,
  ): Promise<KeyObject | undefined> {
    try {
      const jws = { protected: headerPart, payload: payloadPart, signature: signaturePart };
      const resolved = await resolveKey(header, jws);
      return resolved instanceof CryptoKey ? this.#proven.get(resolved) : undefined;
    } catch {
      return undefined;
    }
  }
}

function decodeBytes(part: string): Uint8Array | undefined {
  try {
    return base64url.decode(part);
  } catch {
    return undefined;
  }
}
