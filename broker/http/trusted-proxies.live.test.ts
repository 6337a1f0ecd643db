/**
 * Threat: a token guesser sends a new `X-Forwarded-For` with every try so each counts for another
 * address and the per-address limit on failed authentications never bites (issue 18, finding 5:
 * with `trustProxy: true`, 60 bad tokens gave 60 × 401 and no 429). Live brokers with
 * `rateLimitPerMinute: 8`, so 10 failed authentications per address per minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdp } from '../../demo/idp.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { parseBrokerConfig, type BrokerConfigInput } from '../config.ts';
import { startTestBroker, startTestIdp } from './live-harness.ts';

let idp: DemoIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});

const FAILURES_PER_MINUTE = 10;

/** Sends a bad token with each `forwardedFor` value in turn; answers the statuses. */
async function guessTokens(url: string, forwardedFor: (i: number) => string, tries = 60) {
  const statuses: number[] = [];
  for (let i = 0; i < tries; i += 1) {
    const res = await fetch(`${url}/v1/me`, {
      headers: { authorization: 'Bearer not-a-jwt', 'x-forwarded-for': forwardedFor(i) },
    });
    statuses.push(res.status);
    const body = errorBodySchema.parse(await res.json());
    expect(body.error.code).toBe(res.status === 429 ? 'rate_limited' : 'unauthenticated');
  }
  return statuses;
}

const limitedAfterTen = [
  ...Array<number>(FAILURES_PER_MINUTE).fill(401),
  ...Array<number>(60 - FAILURES_PER_MINUTE).fill(429),
];

async function withBroker<T>(
  trustProxy: BrokerConfigInput['trustProxy'],
  use: (url: string) => Promise<T>,
): Promise<T> {
  const broker = await startTestBroker(idp, { rateLimitPerMinute: 8, config: { trustProxy } });
  try {
    return await use(broker.url);
  } finally {
    await broker.close();
  }
}

describe('X-Forwarded-For spoofing cannot escape the per-address limit on failed authentications', () => {
  it.each([
    ['true', true],
    ['every IPv4 and IPv6 address', ['0.0.0.0/0', '::/0']],
    ['a proxy list the client is not on', ['10.0.0.0/8']],
  ])(
    'trustProxy %s: refused at load, or a fresh X-Forwarded-For per try still meets 429',
    async (_name, trustProxy) => {
      const parsed = parseBrokerConfig({
        issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
        policyPath: 'p',
        databasePath: 'd',
        signingKeyPath: 'k',
        trustProxy,
      });
      if (parsed.status === 'error') {
        expect(parsed.message).toMatch(/^broker config: trustProxy(\[\d\])?: /);
        return;
      }
      // The client (127.0.0.1) is no declared proxy: its header is ignored, its own address counts.
      const statuses = await withBroker(parsed.config.trustProxy, (url) =>
        guessTokens(url, (i) => `198.51.100.${i + 1}`),
      );
      expect(statuses).toEqual(limitedAfterTen);
    },
  );

  it('behind a declared proxy, the client the proxy appended is limited, whatever it prepends', async () => {
    await withBroker(['127.0.0.1', '::1'], async (url) => {
      // The guesser writes its own X-Forwarded-For; the proxy (here the test) appends the address
      // it saw. The rightmost address no declared proxy owns is the one counted.
      const statuses = await guessTokens(url, (i) => `198.51.100.${i + 1}, 203.0.113.7`);
      expect(statuses).toEqual(limitedAfterTen);
      // Another client behind the same proxy has its own budget.
      const other = await guessTokens(url, () => '203.0.113.8', 1);
      expect(other).toEqual([401]);
    });
  });
});
