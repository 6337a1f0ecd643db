import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Es256FastPath, type FastVerifyExpectations } from './es256-fast-verify.ts';
import { p256Key, signCompact } from './token-forge.test-support.ts';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'urn:hourglass:broker';
const NOW = 1_800_000_000;
const want: FastVerifyExpectations = { issuer: ISSUER, audience: AUDIENCE, nowSeconds: NOW };

let privateKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

async function token(
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
  key: CryptoKey = privateKey,
): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice',
    iat: NOW - 10,
    exp: NOW + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
    .sign(key);
}

/** A fast path that has seen jose verify `warmToken` with `keys` (as the broker's verifier does). */
async function warmFastPath(keys: JSONWebKeySet, warmToken: string) {
  const keySet = createLocalJWKSet(keys);
  const fastPath = new Es256FastPath();
  const { protectedHeader, key } = await jwtVerify(warmToken, keySet, {
    currentDate: new Date(NOW * 1000),
  });
  fastPath.learn(protectedHeader, key);
  return { fast: (t: string, w = want) => fastPath.verify(t, keySet, w), keySet, fastPath };
}

describe('Es256FastPath', () => {
  it('accepts a plainly valid token once jose has verified one with the same key', async () => {
    const { fast } = await warmFastPath({ keys: [publicJwk] }, await token());
    expect(await fast(await token({ sub: 'bob' }))).toMatchObject({ sub: 'bob' });
  });

  it('leaves to jose every token until jose has verified one with that key', async () => {
    const keySet = createLocalJWKSet({ keys: [publicJwk] });
    expect(await new Es256FastPath().verify(await token(), keySet, want)).toBeUndefined();
  });

  it('leaves to jose a token signed by another key, or tampered with', async () => {
    const { fast } = await warmFastPath({ keys: [publicJwk] }, await token());
    expect(await fast(await token({}, {}, otherKey))).toBeUndefined();
    const [h, , s] = (await token()).split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', iat: NOW, exp: NOW + 300 }),
    ).toString('base64url');
    expect(await fast(`${h}.${forged}.${s}`)).toBeUndefined();
  });

  it.each<[string, JWTPayload]>([
    ['another issuer', { iss: 'https://evil.example' }],
    ['another audience', { aud: 'urn:other' }],
    ['an expired token', { exp: NOW - 1 }],
    ['a token not yet valid', { nbf: NOW + 60 }],
    ['a token issued in the future', { iat: NOW + 5 }],
    ['a token without sub', { sub: undefined }],
  ])('leaves to jose %s', async (_name, claims) => {
    const { fast } = await warmFastPath({ keys: [publicJwk] }, await token());
    expect(await fast(await token(claims))).toBeUndefined();
  });

  it('leaves to jose unknown header parameters, an unknown kid, a wrong typ, an old token', async () => {
    const { fast } = await warmFastPath({ keys: [publicJwk] }, await token());
    expect(await fast(await token({}, { jku: 'https://evil.example/jwks' }))).toBeUndefined();
    expect(await fast(await token({}, { kid: 'k2' }))).toBeUndefined();
    expect(await fast(await token(), { ...want, typ: 'at+jwt' })).toBeUndefined();
    expect(await fast(await token(), { ...want, maxTokenAgeSeconds: 5 })).toBeUndefined();
  });

  it('token smuggling: never accepts a payload with invalid UTF-8, which jose refuses', async () => {
    const key = p256Key();
    const jwk = { ...key.publicJwk, kid: 'k1' };
    const claims = JSON.stringify({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'MARK',
      iat: NOW,
      exp: NOW + 60,
    });
    const [before, after] = claims.split('MARK') as [string, string];
    const warm = signCompact(
      { alg: 'ES256', kid: 'k1' },
      JSON.parse(claims) as object,
      key.privateKey,
    );
    const { fast, keySet } = await warmFastPath({ keys: [jwk] }, warm);
    const smuggled = signCompact(
      { alg: 'ES256', kid: 'k1' },
      Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]),
      key.privateKey,
    );
    await expect(
      jwtVerify(smuggled, keySet, { currentDate: new Date(NOW * 1000) }),
    ).rejects.toThrow();
    expect(await fast(smuggled)).toBeUndefined();
  });
});
