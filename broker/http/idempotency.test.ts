import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdp } from '../../demo/idp.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import {
  errorBodySchema,
  grantResponseSchema,
  grantsResponseSchema,
} from '../../protocol/index.ts';
import type { RunningBroker } from '../start-broker.ts';
import { startTestBroker, startTestIdp, tableCounts } from './live-harness.ts';

// A retry after a lost answer (timeout, dropped connection) must not create a second grant.
describe('POST /v1/requests with an idempotency key (live broker, real IdP tokens)', () => {
  let idp: DemoIdp;
  let broker: RunningBroker;
  let token: string;
  let bobToken: string | undefined;
  const body = { role: 'prod-api-readonly', durationSeconds: 300, reason: 'INC-9 retry' };

  const post = (key: string | undefined, payload: unknown = body) =>
    fetch(`${broker.url}/v1/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(payload),
    });

  beforeAll(async () => {
    idp = await startTestIdp();
    broker = await startTestBroker(idp);
    token = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
  });

  afterAll(async () => {
    await broker?.close();
    await idp?.close();
  });

  // One live grant per role and user: end each test's grants ("I'm done") before the next.
  afterEach(async () => {
    for (const who of [token, bobToken]) {
      if (!who) continue;
      const list = await fetch(`${broker.url}/v1/grants`, {
        headers: { authorization: `Bearer ${who}` },
      });
      const { grants } = grantsResponseSchema.parse(await list.json());
      for (const grant of grants.filter((g) => g.status === 'active')) {
        const revoked = await fetch(`${broker.url}/v1/grants/${grant.id}/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
          body: '{}',
        });
        expect(revoked.status).toBe(200);
      }
    }
  });

  it('answers a retry with the grant it already created, writing nothing more', async () => {
    const key = randomUUID();
    const first = await post(key);
    expect(first.status).toBe(201);
    const created = grantResponseSchema.parse(await first.json()).grant;
    const before = await tableCounts(broker);
    const again = await post(key);
    expect(again.status).toBe(200);
    expect(grantResponseSchema.parse(await again.json()).grant).toEqual(created);
    expect(await tableCounts(broker)).toEqual(before);
  });

  it('concurrent retries with one key make one grant', async () => {
    const key = randomUUID();
    const before = await tableCounts(broker);
    const answers = await Promise.all([post(key), post(key), post(key)]);
    const ids = await Promise.all(
      answers.map(async (a) => grantResponseSchema.parse(await a.json()).grant.id),
    );
    expect(new Set(ids).size).toBe(1);
    expect((await tableCounts(broker)).grants).toBe(before.grants + 1);
  });

  it('refuses the same key for a different request, and a malformed key, writing nothing', async () => {
    const key = randomUUID();
    expect((await post(key)).status).toBe(201);
    const before = await tableCounts(broker);
    const reused = await post(key, { ...body, durationSeconds: 600 });
    expect(reused.status).toBe(409);
    expect(errorBodySchema.parse(await reused.json()).error.message).toMatch(/new key/);
    const malformed = await post('short');
    expect(malformed.status).toBe(400);
    expect(errorBodySchema.parse(await malformed.json()).error.message).toMatch(
      /idempotency-key header/,
    );
    expect(await tableCounts(broker)).toEqual(before);
  });

  it('keys are per user: the same key from two users makes two grants', async () => {
    const key = randomUUID();
    expect((await post(key)).status).toBe(201);
    const bob = (await obtainTestTokens(idp.issuer, 'bob', BROKER_AUDIENCE)).accessToken;
    bobToken = bob;
    const other = await fetch(`${broker.url}/v1/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bob}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });
    expect(other.status).toBe(201);
  });
});
