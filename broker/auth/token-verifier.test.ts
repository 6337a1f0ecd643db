import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../ports.ts';
import { createTokenVerifier } from './token-verifier.ts';

/** An issuer whose discovery answers but whose key set endpoint fails with `jwksStatus`. */
async function issuerWithBrokenJwks(
  jwksStatus: number | 'closed',
): Promise<{ issuer: string; server: Server }> {
  const server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/.well-known/openid-configuration') {
      const jwksUri = jwksStatus === 'closed' ? 'http://127.0.0.1:9/jwks' : `${issuer}/jwks`;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: jwksUri }));
      return;
    }
    res.statusCode = jwksStatus === 'closed' ? 404 : jwksStatus;
    res.end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function tokenFrom(issuer: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ groups: ['engineers'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(issuer)
    .setSubject('alice')
    .setAudience('urn:hourglass:broker')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('token verifier when the IdP key set is unreachable', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it.each([503, 500, 'closed'] as const)(
    'JWKS %s → unavailable (retry), not "sign in again"',
    async (status) => {
      const idp = await issuerWithBrokenJwks(status);
      server = idp.server;
      const verify = createTokenVerifier(
        [{ issuer: idp.issuer, audience: 'urn:hourglass:broker' }],
        systemClock,
      );
      const result = await verify(await tokenFrom(idp.issuer));
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      expect(result.ok ? '' : result.error.message).not.toMatch(/hourglass login/);
    },
  );
});
