/** Hardening found by probing a live broker: one error body everywhere, routed-path auth, reasons, file modes. */
import { describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { meResponseSchema } from '../../protocol/broker-api.ts';
import { useLiveBroker } from './live-checks.ts';
import { call, startTestBroker } from './live-harness.ts';

const live = useLiveBroker();

async function raw(path: string, token?: string) {
  const res = await fetch(
    `${live.broker.url}${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  const text = await res.text();
  return { status: res.status, text };
}

describe('one error body for what Fastify and Node reject before routing', () => {
  it.each([
    ['/v1/%ff', 400, /not a valid URL/],
    ['/%ff', 400, /not a valid URL/],
    [`/v1/grants/${'a'.repeat(300)}`, 400, /too long/],
    [`/v1/${'a'.repeat(20_000)}`, 431, /too large/],
  ])('%s answers %i in the error body with a request id', async (path, status, message) => {
    const answer = await raw(path, live.alice);
    expect(answer.status).toBe(status);
    const body = errorBodySchema.parse(JSON.parse(answer.text));
    expect(body.error.message).toMatch(message);
    expect(body.error.requestId).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('authentication on the routed path', () => {
  it('/%761/me is /v1/me: the gate runs (401 without a token, 200 with one)', async () => {
    expect((await raw('/%761/me')).status).toBe(401);
    const answer = await raw('/%761/me', live.alice);
    expect(answer.status).toBe(200);
    expect(meResponseSchema.parse(JSON.parse(answer.text)).me.subject).toBe('alice');
  });
});

describe('a reason must be visible plain text', () => {
  // Control and bidi characters fail the contract (bad_request); invisible-only text the policy.
  it.each([
    ['\u200b', 'policy_violation'],
    ['fix \u202eti', 'bad_request'],
    ['ok\u0007', 'bad_request'],
    ['   ', 'policy_violation'],
  ])('refuses %j (%s)', async (reason, code) => {
    const answer = await call(live.broker, 'POST', '/v1/requests', live.alice, {
      role: 'prod-api-readonly',
      durationSeconds: 60,
      reason,
    });
    expect(answer.status).toBe(400);
    expect(errorBodySchema.parse(answer.body).error.code).toBe(code);
  });

  it('takes a reason with a tab and a newline', async () => {
    const answer = await call(live.broker, 'POST', '/v1/requests', live.alice, {
      role: 'prod-api-readonly',
      durationSeconds: 60,
      reason: 'INC-1:\tcheck\nthe queue',
    });
    expect(answer.status).toBe(201);
  });
});

describe('failed authentications are rate-limited per address, with Retry-After', () => {
  it('answers 429 after the limit of bad tokens, before verifying more', async () => {
    const limited = await startTestBroker(live.idp, { rateLimitPerMinute: 8 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 11; i += 1) {
        const res = await fetch(`${limited.url}/v1/me`, {
          headers: { authorization: 'Bearer not-a-jwt' },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          retryAfter = res.headers.get('retry-after');
          expect(errorBodySchema.parse(await res.json()).error.code).toBe('rate_limited');
        } else await res.arrayBuffer();
      }
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    } finally {
      await limited.close();
    }
  });
});

describe("Fastify's safe JSON parser", () => {
  it('refuses a body with __proto__ as malformed JSON (400), never merging it', async () => {
    const answer = await call(
      live.broker,
      'POST',
      '/v1/requests',
      live.alice,
      '{"role":"prod-api-readonly","durationSeconds":60,"reason":"x","__proto__":{"admin":true}}',
    );
    expect(answer.status).toBe(400);
    expect(errorBodySchema.parse(answer.body).error.message).toBe(
      'the request body carries a forbidden __proto__ or constructor key; remove it',
    );
  });
});
