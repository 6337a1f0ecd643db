import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../ports.ts';
import { claimAt, mapClaims } from './issuer-claims.ts';
import { createTokenVerifier } from './token-verifier.ts';

describe('issuer claim mapping', () => {
  it('reads dotted claim paths and qualifies groups by the issuer name', () => {
    const payload = {
      oid: 'u-1',
      upn: 'a@corp',
      realm_access: { roles: ['approvers', 'engineers'] },
    };
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['approvers', 'engineers']);
    expect(claimAt(payload, 'realm_access.nope.deeper')).toBeUndefined();
    expect(
      mapClaims(payload, { subject: 'oid', email: 'upn', groups: 'realm_access.roles' }, 'corp'),
    ).toEqual({ subject: 'u-1', email: 'a@corp', groups: ['corp:approvers', 'corp:engineers'] });
  });

  it("drops raw groups containing ':' so no IdP can name another issuer's group", () => {
    expect(
      mapClaims({ sub: 's', groups: ['corp:approvers', 'engineers', ''] }, undefined, undefined),
    ).toEqual({ subject: 's', groups: ['engineers'] });
  });

  it('refuses a token without a usable subject', () => {
    expect(mapClaims({ groups: [] }, undefined, 'x')).toBeUndefined();
    expect(mapClaims({ sub: ['s'] } as unknown as { sub: string }, undefined, 'x')).toBeUndefined();
  });
});

describe('per-issuer token type (RFC 9068) and maximum age', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function issuer() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const srv = createServer((req, res) => {
      const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          req.url === '/jwks' ? { keys: [jwk] } : { issuer: base, jwks_uri: `${base}/jwks` },
        ),
      );
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    server = srv;
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const mint = (typ: string, iatSecondsAgo = 0) =>
      new SignJWT({ groups: ['g'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ })
        .setIssuer(url)
        .setSubject('alice')
        .setAudience('aud')
        .setIssuedAt(Math.floor(Date.now() / 1000) - iatSecondsAgo)
        .setExpirationTime('1h')
        .sign(privateKey);
    return { url, mint };
  }

  it('requires typ at+jwt where the issuer sets it, and refuses tokens older than the max age', async () => {
    const idp = await issuer();
    const verify = createTokenVerifier(
      [{ issuer: idp.url, audience: 'aud', accessTokenType: 'at+jwt', maxTokenAgeSeconds: 600 }],
      systemClock,
    );
    expect(await verify(await idp.mint('at+jwt'))).toMatchObject({ ok: true });
    expect(await verify(await idp.mint('JWT'))).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    expect(await verify(await idp.mint('at+jwt', 3600))).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });
});
