/**
 * Test support for the differential tests of the token verifier: a token case (key set, the
 * tokens seen before, the token under test, the issuer's options) described as plain data, so
 * fast-check can generate and shrink it and a fixed corpus can name it.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { p256Key, type P256Key } from './token-forge.test-support.ts';

export const ISSUER = 'https://idp.example';
export const AUDIENCE = 'urn:hourglass:broker';
/** 2030-01-01T00:00:00Z, the clock of every case. */
export const NOW_SECONDS = 1_893_456_000;

/** Three P-256 keys and one P-384 key (index 3), made once per test file. */
export interface KeyPool {
  keys: [P256Key, P256Key, P256Key, P256Key];
}

/** A fresh key pool. */
export function keyPool(): KeyPool {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const p384: P256Key = {
    privateKey,
    publicJwk: publicKey.export({ format: 'jwk' }),
    privateJwk: privateKey.export({ format: 'jwk' }),
  };
  return { keys: [p256Key(), p256Key(), p256Key(), p384] };
}

/** One entry of the published key set. */
export interface JwkSpec {
  key: 0 | 1 | 2 | 3;
  /** Publish the private `d` too. */
  d: boolean;
  /** `undefined`: the member is absent; any other value is written as is. */
  kid?: unknown;
  alg?: unknown;
  use?: unknown;
  keyOps?: unknown;
  ext?: unknown;
  crv?: unknown;
  /** `y` of another key: not a point on the curve. */
  badPoint: boolean;
}

/** How the header or payload JSON is written. */
export type JsonEncoding = 'json' | 'invalid-utf8' | 'bom' | 'array' | 'dup-first' | 'proto';

/** The header under test. */
export interface HeaderSpec {
  /** Members in order; `undefined` values are left out. */
  fields: Record<string, unknown>;
  encoding: JsonEncoding;
}

/** The payload under test: raw JSON text per claim (`undefined`: claim absent). */
export interface PayloadSpec {
  raw: Record<string, string | undefined>;
  encoding: JsonEncoding;
}

/** Who signs, and what is done to the signature after. */
export interface SignatureSpec {
  signer: 0 | 1 | 2 | 3 | 'hs256-public-jwk' | 'none';
  mutate:
    | 'none'
    | 'flip'
    | 'truncate'
    | 'extend'
    | 'der'
    | 'r0'
    | 's0'
    | 'rn'
    | 'sn'
    | 'high-s'
    | 'zeros';
}

/** How the three base64url parts are written. */
export interface PartsSpec {
  /** `=` padding on the header part. */
  padHeader: boolean;
  /** Non-zero trailing bits in the last character of this part. */
  nonCanonical: 'none' | 'header' | 'payload' | 'signature';
  /** One more character on the header part (length 4k+1: not base64). */
  extraHeaderChar: boolean;
}

/** What the issuer's configuration asks of its tokens. */
export interface OptionsSpec {
  typ?: string;
  maxTokenAgeSeconds?: number;
}

/** One generated or named case. */
export interface TokenCaseSpec {
  jwks: JwkSpec[];
  header: HeaderSpec;
  payload: PayloadSpec;
  signature: SignatureSpec;
  parts: PartsSpec;
  options: OptionsSpec;
}

/** A case ready to run: the key set JSON, the tokens seen before, the token under test. */
export interface TokenCase {
  keySet: { keys: Record<string, unknown>[] };
  warm: string[];
  token: string;
  options: OptionsSpec;
}

// P-256 group order n.
const N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/** Valid claims, as raw JSON text. */
export function validRaw(): Record<string, string> {
  return {
    iss: JSON.stringify(ISSUER),
    aud: JSON.stringify(AUDIENCE),
    sub: '"alice"',
    groups: '["engineers"]',
    iat: String(NOW_SECONDS - 10),
    exp: String(NOW_SECONDS + 300),
  };
}

function buildJwk(pool: KeyPool, spec: JwkSpec): Record<string, unknown> {
  const key = pool.keys[spec.key];
  const jwk: Record<string, unknown> = { ...(spec.d ? key.privateJwk : key.publicJwk) };
  const set = (name: string, value: unknown) => {
    if (value !== undefined) jwk[name] = value;
  };
  set('kid', spec.kid);
  set('alg', spec.alg);
  set('use', spec.use);
  set('key_ops', spec.keyOps);
  set('ext', spec.ext);
  set('crv', spec.crv);
  if (spec.badPoint) jwk.y = pool.keys[(spec.key + 1) % 3]?.publicJwk.y;
  return jwk;
}

function jsonBytes(members: [string, string][], encoding: JsonEncoding): Buffer {
  const body = members.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  switch (encoding) {
    case 'json':
      return Buffer.from(`{${body.join(',')}}`);
    case 'invalid-utf8':
      return invalidUtf8(members, body);
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{${body.join(',')}}`)]);
    case 'array':
      return Buffer.from(`[{${body.join(',')}}]`);
    case 'dup-first': {
      const [first] = members;
      return Buffer.from(
        `{${first ? `${JSON.stringify(first[0])}:"HS256",` : ''}${body.join(',')}}`,
      );
    }
    case 'proto':
      return Buffer.from(`{${[...body, '"__proto__":{"alg":"ES256","iss":"x"}'].join(',')}}`);
  }
}

/**
 * The JSON with a 0xff byte: inside the last member's value when it is a string (a header's
 * `typ: "JWT\xff"`), else in one more member.
 */
function invalidUtf8(members: [string, string][], body: string[]): Buffer {
  const last = members.at(-1);
  if (last?.[1].startsWith('"')) {
    const text = `{${body.join(',')}}`;
    const cut = text.length - 2;
    return Buffer.concat([
      Buffer.from(text.slice(0, cut)),
      Buffer.from([0xff]),
      Buffer.from(text.slice(cut)),
    ]);
  }
  return Buffer.concat([
    Buffer.from(`{${[...body, '"x":"ok'].join(',')}`),
    Buffer.from([0xff]),
    Buffer.from('"}'),
  ]);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes with non-zero trailing bits in the last character, where there are any. */
function nonCanonical(part: string): string {
  if (part.length % 4 === 0 || part.length === 0) return part;
  const last = ALPHABET.indexOf(part.slice(-1));
  return part.slice(0, -1) + (ALPHABET[last | 1] ?? part.slice(-1));
}

function signatureBytes(pool: KeyPool, spec: SignatureSpec, input: string): Buffer {
  if (spec.signer === 'none') return Buffer.alloc(0);
  if (spec.signer === 'hs256-public-jwk') {
    // Key confusion: the HMAC secret is the issuer's public key, which anyone can read.
    return createHmac('sha256', JSON.stringify(pool.keys[0].publicJwk)).update(input).digest();
  }
  const key: KeyObject = pool.keys[spec.signer].privateKey;
  if (spec.mutate === 'der') return sign('sha256', Buffer.from(input), { key, dsaEncoding: 'der' });
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  const half = sig.length / 2;
  const r = sig.subarray(0, half);
  const s = sig.subarray(half);
  switch (spec.mutate) {
    case 'none':
      return sig;
    case 'flip':
      return Buffer.concat([Buffer.from([(sig[0] ?? 0) ^ 1]), sig.subarray(1)]);
    case 'truncate':
      return sig.subarray(0, sig.length - 1);
    case 'extend':
      return Buffer.concat([sig, Buffer.from([0])]);
    case 'r0':
      return Buffer.concat([Buffer.alloc(half), s]);
    case 's0':
      return Buffer.concat([r, Buffer.alloc(half)]);
    case 'rn':
      return half === 32 ? Buffer.concat([N, s]) : sig;
    case 'sn':
      return half === 32 ? Buffer.concat([r, N]) : sig;
    case 'high-s':
      return half === 32 ? Buffer.concat([r, highS(s)]) : sig;
    case 'zeros':
      return Buffer.alloc(sig.length);
  }
}

/** n − s: the other valid signature of the same message (ECDSA malleability). */
function highS(s: Buffer): Buffer {
  const value = BigInt(`0x${N.toString('hex')}`) - BigInt(`0x${s.toString('hex')}`);
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** A clean token from `jwk`'s key (the verifiers see these first, so the fast path is warm). */
function warmToken(pool: KeyPool, spec: JwkSpec, options: OptionsSpec): string | undefined {
  if (spec.key === 3) return undefined;
  const kid = typeof spec.kid === 'string' ? `,"kid":${JSON.stringify(spec.kid)}` : '';
  const typ = options.typ ? `,"typ":${JSON.stringify(options.typ)}` : '';
  const header = Buffer.from(`{"alg":"ES256"${kid}${typ}}`).toString('base64url');
  const raw = validRaw();
  const payload = jsonBytes(Object.entries(raw), 'json').toString('base64url');
  const input = `${header}.${payload}`;
  const key = pool.keys[spec.key].privateKey;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** Builds the case `spec` describes. */
export function buildCase(pool: KeyPool, spec: TokenCaseSpec): TokenCase {
  const headerMembers = Object.entries(spec.header.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, string] => [k, JSON.stringify(v)]);
  const payloadMembers = Object.entries({ ...validRaw(), ...spec.payload.raw }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  let header = jsonBytes(headerMembers, spec.header.encoding).toString('base64url');
  let payload = jsonBytes(payloadMembers, spec.payload.encoding).toString('base64url');
  if (spec.parts.nonCanonical === 'header') header = nonCanonical(header);
  if (spec.parts.nonCanonical === 'payload') payload = nonCanonical(payload);
  if (spec.parts.padHeader && header.length % 4 !== 0)
    header += '='.repeat(4 - (header.length % 4));
  while (spec.parts.extraHeaderChar && header.length % 4 !== 1) header += 'A';
  const input = `${header}.${payload}`;
  let signature = signatureBytes(pool, spec.signature, input).toString('base64url');
  if (spec.parts.nonCanonical === 'signature') signature = nonCanonical(signature);
  return {
    keySet: { keys: spec.jwks.map((j) => buildJwk(pool, j)) },
    warm: spec.jwks.flatMap((j) => warmToken(pool, j, spec.options) ?? []),
    token: `${input}.${signature}`,
    options: spec.options,
  };
}

/** A well-formed case: one published key, a valid ES256 token from it. Corpus entries vary it. */
export function plainSpec(): TokenCaseSpec {
  return {
    jwks: [{ key: 0, d: false, kid: 'k1', alg: 'ES256', use: 'sig', badPoint: false }],
    header: { fields: { alg: 'ES256', kid: 'k1' }, encoding: 'json' },
    payload: { raw: {}, encoding: 'json' },
    signature: { signer: 0, mutate: 'none' },
    parts: { padHeader: false, nonCanonical: 'none', extraHeaderChar: false },
    options: {},
  };
}
