/**
 * Safe defaults at the access-token boundary (issue 18, finding 10): a maximum token age applies
 * when the config names none, and the demo broker takes only RFC 9068 access tokens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoTrustedIssuer } from '../../demo/stack.ts';
import { parseBrokerConfig } from '../config.ts';
import { ManualClock } from '../test-support.ts';
import { createTokenVerifier, DEFAULT_MAX_TOKEN_AGE_SECONDS } from './token-verifier.ts';
import {
  p256Key,
  signCompact,
  startForgeIssuer,
  type ForgeIssuer,
} from './token-forge.test-support.ts';

const AUDIENCE = 'urn:hourglass:broker';
const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

let idp: ForgeIssuer | undefined;
afterEach(() => idp?.close());

async function signedBy() {
  const key = p256Key();
  idp = await startForgeIssuer({ keys: [{ ...key.publicJwk, kid: 'k1', alg: 'ES256' }] });
  const issuer = idp.issuer;
  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    signCompact(
      { alg: 'ES256', kid: 'k1', ...header },
      {
        iss: issuer,
        aud: AUDIENCE,
        sub: 'alice',
        iat: nowSeconds - 5,
        exp: nowSeconds + 300,
        ...claims,
      },
      key.privateKey,
    );
  return { issuer, sign };
}

describe('a maximum token age applies by default', () => {
  it('stolen old token: one issued 2 hours ago with a far `exp` is refused without any config', async () => {
    const { issuer, sign } = await signedBy();
    const verify = createTokenVerifier([{ issuer, audience: AUDIENCE }], new ManualClock(NOW));
    const old = sign({ iat: nowSeconds - 2 * 3600, exp: nowSeconds + 20 * 3600 });
    const answer = await verify(old);
    expect(answer).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(answer.ok ? '' : answer.error.message).toContain(
      `${DEFAULT_MAX_TOKEN_AGE_SECONDS} seconds ago`,
    );
    // The same token is fine while it is young: the refusal above is about its age.
    const young = createTokenVerifier(
      [{ issuer, audience: AUDIENCE }],
      new ManualClock(new Date((nowSeconds - 2 * 3600 + 60) * 1000)),
    );
    expect(await young(old)).toMatchObject({ ok: true, value: { subject: 'alice' } });
  });

  it('a verified token stops being answered from the cache once it is older than the default', async () => {
    const { issuer, sign } = await signedBy();
    const clock = new ManualClock(NOW);
    const verify = createTokenVerifier([{ issuer, audience: AUDIENCE }], clock);
    const token = sign({ iat: nowSeconds, exp: nowSeconds + 4 * 3600 });
    expect(await verify(token)).toMatchObject({ ok: true });
    clock.advance((DEFAULT_MAX_TOKEN_AGE_SECONDS + 31) * 1000);
    expect(await verify(token)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('the broker config gets the default, and may set another', () => {
    const parsed = (maxTokenAgeSeconds?: number) =>
      parseBrokerConfig({
        issuers: [
          {
            issuer: 'https://idp.example',
            audience: AUDIENCE,
            ...(maxTokenAgeSeconds ? { maxTokenAgeSeconds } : {}),
          },
        ],
        policyPath: 'policy.yaml',
        signingKeyPath: 'signing.jwk',
        databasePath: 'broker.sqlite',
      });
    const byDefault = parsed();
    const set = parsed(600);
    expect(byDefault.status === 'success' && byDefault.config.issuers[0]?.maxTokenAgeSeconds).toBe(
      DEFAULT_MAX_TOKEN_AGE_SECONDS,
    );
    expect(set.status === 'success' && set.config.issuers[0]?.maxTokenAgeSeconds).toBe(600);
  });
});

describe('the demo broker takes only RFC 9068 access tokens', () => {
  it('token confusion: a token the IdP signed with `typ: JWT` (or none) is refused; `at+jwt` passes', async () => {
    const { issuer, sign } = await signedBy();
    const verify = createTokenVerifier([demoTrustedIssuer(issuer)], new ManualClock(NOW));
    for (const typ of ['JWT', undefined]) {
      expect(await verify(sign({}, typ ? { typ } : {}))).toMatchObject({
        ok: false,
        error: { code: 'unauthenticated', message: expect.stringContaining('typ') as unknown },
      });
    }
    expect(await verify(sign({}, { typ: 'at+jwt' }))).toMatchObject({ ok: true });
  });
});
