import { afterEach, describe, expect, it } from 'vitest';
import { startBenchIssuer } from '../../bench/bench-issuer.ts';
import { ManualClock } from '../test-support.ts';
import { createTokenVerifier } from './token-verifier.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

const AUDIENCE = 'urn:hourglass:broker';
const t0 = new Date('2030-01-01T00:00:00Z');

/** A real issuer (discovery + JWKS over HTTP) and a signer of alice's access tokens. */
async function startIssuer() {
  const idp = await startBenchIssuer();
  const sign = (issuedAt: Date, expiresAt: Date) =>
    idp.token({ subject: 'alice', audience: AUDIENCE, issuedAt, expiresAt });
  return { issuer: idp.issuer, close: () => idp.close(), sign };
}

describe('verified tokens answered from the cache', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(() => close?.());

  it('never past the token expiry (beyond the clock tolerance)', async () => {
    const idp = await startIssuer();
    close = idp.close;
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
    close = idp.close;
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
