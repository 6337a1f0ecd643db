import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support.ts';
import { createTokenVerifier } from './token-verifier.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

const AUDIENCE = 'urn:hourglass:broker';
const t0 = new Date('2030-01-01T00:00:00Z');
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** A real issuer (discovery + JWKS over HTTP) and a signer of its access tokens. */
async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url === '/jwks' ? { keys: [jwk] } : { issuer: base, jwks_uri: `${base}/jwks` },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (iat: Date, exp: Date) =>
    new SignJWT({ groups: ['engineers'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('alice')
      .setAudience(AUDIENCE)
      .setIssuedAt(epoch(iat))
      .setExpirationTime(epoch(exp))
      .sign(privateKey);
  return { issuer, server, sign };
}

describe('verified tokens answered from the cache', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('never past the token expiry (beyond the clock tolerance)', async () => {
    const idp = await startIssuer();
    server = idp.server;
    const clock = new ManualClock(t0);
    const verify = createTokenVerifier([{ issuer: idp.issuer, audience: AUDIENCE }], clock);
    const token = await idp.sign(t0, new Date(t0.getTime() + 60_000));
    expect(await verify(token)).toMatchObject({ ok: true, value: { subject: 'alice' } });
    clock.advance(59_000);
    expect(await verify(token)).toMatchObject({ ok: true });
    clock.advance(32_000); // 31 s past exp: over the 30 s tolerance.
    expect(await verify(token)).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated', message: expect.stringMatching(/expired/) as unknown },
    });
  });

  it("never past the issuer's maximum token age", async () => {
    const idp = await startIssuer();
    server = idp.server;
    const clock = new ManualClock(t0);
    const verify = createTokenVerifier(
      [{ issuer: idp.issuer, audience: AUDIENCE, maxTokenAgeSeconds: 60 }],
      clock,
    );
    const token = await idp.sign(t0, new Date(t0.getTime() + 3_600_000));
    expect(await verify(token)).toMatchObject({ ok: true });
    clock.advance(91_000); // Older than 60 s plus the tolerance, long before exp.
    expect(await verify(token)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('keeps at most its size, dropping the oldest, and each entry until its end', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 500);
    cache.set('c', 'C', 1000);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([
      undefined,
      'B',
      'C',
    ]);
    expect(cache.get('b', 500)).toBeUndefined();
    expect(cache.get('c', 999)).toBe('C');
  });
});
