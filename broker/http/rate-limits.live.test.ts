/**
 * Rate limits on a live broker (@fastify/rate-limit): per authenticated user, whichever token
 * they present, and per address for failed authentications, checked before any token work. Both
 * answer 429 in the one error body with a request id, and `Retry-After`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { startTestBroker, startTestIdp } from './live-harness.ts';

let idp: DemoIdp;
let broker: RunningBroker;

beforeAll(async () => {
  idp = await startTestIdp();
  // 8 per user per minute; failed authentications: 10 per address per minute.
  broker = await startTestBroker(idp, { rateLimitPerMinute: 8 });
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

const me = (token: string) =>
  fetch(`${broker.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });

/** The 429 answer's parts, checked to be the broker's one error body. */
async function refusal(res: Response) {
  expect(res.status).toBe(429);
  const body = errorBodySchema.parse(await res.json());
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.requestId).toMatch(/^[0-9a-f]{16}$/);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(body.error.message).toContain(`try again in ${retryAfter} s`);
}

describe('per-user limit', () => {
  it('counts the user, not the token: a fresh sign-in is still limited, another user is not', async () => {
    const first = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
    const second = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
    expect(second).not.toBe(first);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await me(i % 2 === 0 ? first : second);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual(Array<number>(8).fill(200));
    await refusal(await me(second));
    const bob = (await obtainTestTokens(idp.issuer, 'bob', BROKER_AUDIENCE)).accessToken;
    expect((await me(bob)).status).toBe(200);
  });
});

describe('failed authentications per address', () => {
  it('refuses the address once over, before looking at any token, even a valid one', async () => {
    const carol = (await obtainTestTokens(idp.issuer, 'carol', BROKER_AUDIENCE)).accessToken;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await me(i % 2 === 0 ? 'not-a-jwt' : `${carol.slice(0, -4)}AAAA`);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual(Array<number>(10).fill(401));
    await refusal(await me('not-a-jwt'));
    // A good token from the same address waits too: the check comes before any token work.
    await refusal(await me(carol));
  });
});
