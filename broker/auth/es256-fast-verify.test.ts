import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyEs256Fast, type FastVerifyExpectations } from './es256-fast-verify.ts';

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

const keys = () => ({ keys: [publicJwk] });

describe('verifyEs256Fast', () => {
  it('accepts a plainly valid token and returns its claims', async () => {
    expect(verifyEs256Fast(await token(), keys(), want)).toMatchObject({ sub: 'alice' });
  });

  it('leaves to jose a token signed by another key, or tampered with', async () => {
    expect(verifyEs256Fast(await token({}, {}, otherKey), keys(), want)).toBeUndefined();
    const [h, , s] = (await token()).split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', iat: NOW, exp: NOW + 300 }),
    ).toString('base64url');
    expect(verifyEs256Fast(`${h}.${forged}.${s}`, keys(), want)).toBeUndefined();
  });

  it.each<[string, JWTPayload]>([
    ['another issuer', { iss: 'https://evil.example' }],
    ['another audience', { aud: 'urn:other' }],
    ['an expired token', { exp: NOW - 1 }],
    ['a token not yet valid', { nbf: NOW + 60 }],
    ['a token issued in the future', { iat: NOW + 5 }],
    ['a token without sub', { sub: undefined }],
  ])('leaves to jose %s', async (_name, claims) => {
    expect(verifyEs256Fast(await token(claims), keys(), want)).toBeUndefined();
  });

  it('leaves to jose unknown header parameters, an unknown kid, a wrong typ, an old token', async () => {
    expect(
      verifyEs256Fast(await token({}, { jku: 'https://evil.example/jwks' }), keys(), want),
    ).toBeUndefined();
    expect(verifyEs256Fast(await token({}, { kid: 'k2' }), keys(), want)).toBeUndefined();
    expect(verifyEs256Fast(await token(), keys(), { ...want, typ: 'at+jwt' })).toBeUndefined();
    expect(
      verifyEs256Fast(await token(), keys(), { ...want, maxTokenAgeSeconds: 5 }),
    ).toBeUndefined();
    expect(verifyEs256Fast(await token(), undefined, want)).toBeUndefined();
  });
});
