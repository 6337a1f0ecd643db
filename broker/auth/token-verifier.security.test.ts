import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support.ts';
import { createTokenVerifier } from './token-verifier.ts';
import {
  p256Key,
  privateKeyFromJwk,
  signCompact,
  startForgeIssuer,
  type ForgeIssuer,
  type P256Key,
} from './token-forge.test-support.ts';

const AUDIENCE = 'urn:hourglass:broker';
const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

let idp: ForgeIssuer | undefined;
afterEach(() => idp?.close());

function claims(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: issuer,
    aud: AUDIENCE,
    sub: 'alice',
    iat: nowSeconds - 10,
    exp: nowSeconds + 300,
    jti: Math.random().toString(36),
    ...extra,
  };
}

async function verifierFor(jwk: JWK) {
  idp = await startForgeIssuer({ keys: [jwk] });
  return {
    issuer: idp.issuer,
    verify: createTokenVerifier([{ issuer: idp.issuer, audience: AUDIENCE }], new ManualClock(NOW)),
  };
}

describe('forgery: a key set entry that jose refuses is never trusted, not even from the second token on', () => {
  it('a JWKS publishing the private `d`: tokens anyone signs with it for `sub: ceo` are refused every time', async () => {
    const key = p256Key();
    const { issuer, verify } = await verifierFor({ ...key.privateJwk, kid: 'k1', alg: 'ES256' });
    // The attacker rebuilds the private key from the published JWK and signs for anyone.
    const forger = privateKeyFromJwk({ ...key.privateJwk });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const token = signCompact(
        { alg: 'ES256', kid: 'k1' },
        claims(issuer, { sub: 'ceo', groups: ['approvers'] }),
        forger,
      );
      expect(await verify(token)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });

  it.each<[string, (key: P256Key) => JWK]>([
    ['`key_ops` given as a string', (k) => ({ ...k.publicJwk, key_ops: 'verify' as never })],
    ['`key_ops` with duplicates', (k) => ({ ...k.publicJwk, key_ops: ['verify', 'verify'] })],
    [
      '`key_ops` naming `sign` on a public key',
      (k) => ({ ...k.publicJwk, key_ops: ['verify', 'sign'] }),
    ],
    ['a non-boolean `ext`', (k) => ({ ...k.publicJwk, ext: 'true' as never })],
  ])('a JWKS key with %s is refused on every token', async (_name, malformed) => {
    const key = p256Key();
    const { issuer, verify } = await verifierFor({ ...malformed(key), kid: 'k1' });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const token = signCompact({ alg: 'ES256', kid: 'k1' }, claims(issuer), key.privateKey);
      expect(await verify(token)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });
});

describe('token smuggling: the fast path decodes header and payload exactly as jose does', () => {
  it.each<[string, (issuer: string) => [Buffer | object, Buffer | object]]>([
    [
      'a protected header with invalid UTF-8 (`typ: "JWT\\xff"`)',
      (issuer) => [
        Buffer.concat([
          Buffer.from('{"alg":"ES256","kid":"k1","typ":"JWT'),
          Buffer.from([0xff]),
          Buffer.from('"}'),
        ]),
        claims(issuer),
      ],
    ],
    [
      'a payload with invalid UTF-8 in a claim',
      (issuer) => {
        const json = JSON.stringify(claims(issuer, { name: 'MARK' }));
        const [before, after] = json.split('MARK') as [string, string];
        return [
          { alg: 'ES256', kid: 'k1' },
          Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]),
        ];
      },
    ],
  ])('%s is refused, also once the fast path is warm', async (_name, parts) => {
    const key = p256Key();
    const { issuer, verify } = await verifierFor({ ...key.publicJwk, kid: 'k1', alg: 'ES256' });
    const good = signCompact({ alg: 'ES256', kid: 'k1' }, claims(issuer), key.privateKey);
    expect(await verify(good)).toMatchObject({ ok: true, value: { subject: 'alice' } });
    const [header, payload] = parts(issuer);
    const token = signCompact(header, payload, key.privateKey);
    expect(await verify(token)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });
});
