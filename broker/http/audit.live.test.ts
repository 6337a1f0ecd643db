/** `GET /v1/audit` on a live broker with real IdP tokens: auditors only, filterable, paged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditResponseSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let bob: string;
let carol: string;
let grantId: string;

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp);
  [alice, bob, carol] = (await Promise.all(
    ['alice', 'bob', 'carol'].map(
      async (u) => (await obtainTestTokens(idp.issuer, u, BROKER_AUDIENCE)).accessToken,
    ),
  )) as [string, string, string];
  const created = await call(broker, 'POST', '/v1/requests', alice, {
    role: 'prod-api-admin',
    durationSeconds: 600,
    reason: 'incident',
    ticket: 'INC-42',
  });
  grantId = grantResponseSchema.parse(created.body).grant.id;
  expect((await call(broker, 'POST', `/v1/grants/${grantId}/approve`, bob, {})).status).toBe(200);
  await call(broker, 'POST', '/v1/requests', bob, {
    role: 'prod-api-readonly',
    durationSeconds: 600,
    reason: 'other work',
  });
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

const audit = async (token: string, query = '') => {
  const answer = await call(broker, 'GET', `/v1/audit${query}`, token);
  return { status: answer.status, body: answer.body };
};

describe('GET /v1/audit', () => {
  it('answers an auditor with the records, oldest first', async () => {
    const { status, body } = await audit(carol);
    expect(status).toBe(200);
    const { records, next } = auditResponseSchema.parse(body);
    expect(records.map((r) => r.event)).toEqual([
      'requested',
      'approved',
      'activated',
      'requested',
      'activated',
    ]);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(next).toBeNull();
  });

  it('refuses anyone outside the auditor groups (403, the one error body)', async () => {
    for (const token of [alice, bob]) {
      const { status, body } = await audit(token);
      expect(status).toBe(403);
      expect(errorBodySchema.parse(body).error.message).toMatch(/auditor groups/);
    }
  });

  it('filters by grant, ticket, event, actor, role and time, and pages with after/limit', async () => {
    const events = async (query: string) =>
      auditResponseSchema.parse((await audit(carol, query)).body).records.map((r) => r.event);
    expect(await events(`?grant=${grantId}`)).toEqual(['requested', 'approved', 'activated']);
    expect(await events('?ticket=INC-42')).toEqual(['requested', 'approved', 'activated']);
    expect(await events('?event=approved')).toEqual(['approved']);
    expect(await events('?role=prod-api-readonly')).toEqual(['requested', 'activated']);
    expect(
      await events(`?actor=${encodeURIComponent(`${idp.issuer}#bob`)}&event=approved`),
    ).toEqual(['approved']);
    expect(await events('?since=2999-01-01T00:00:00Z')).toEqual([]);
    expect(await events('?until=2000-01-01T00:00:00Z')).toEqual([]);
    const page = auditResponseSchema.parse((await audit(carol, '?limit=2')).body);
    expect(page.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(page.next).toBe(2);
    const rest = auditResponseSchema.parse(
      (await audit(carol, `?after=${page.next}&limit=2`)).body,
    );
    expect(rest.records.map((r) => r.seq)).toEqual([3, 4]);
  });

  it('refuses a malformed query naming the field', async () => {
    for (const query of ['?limit=0', '?since=yesterday', '?event=DROP%20TABLE', '?nope=1']) {
      const { status, body } = await audit(carol, query);
      expect(status).toBe(400);
      expect(errorBodySchema.parse(body).error.message).toMatch(/query string/);
    }
  });
});
