/**
 * Two brokers on one PostgreSQL (each with its own pool and listener): an event stream on replica
 * A sees an approval made on replica B, delivered through LISTEN/NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerEventSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { freshPgUrl } from '../test-support.ts';
import { call, startTestBroker, startTestIdp, waitFor } from './live-harness.ts';
import { openSse, type SseStream } from './sse-test-client.ts';

let idp: DemoIdp;
let replicaA: RunningBroker;
let replicaB: RunningBroker;
let alice: string;
let bob: string;
const streams: SseStream[] = [];

beforeAll(async () => {
  idp = await startTestIdp();
  const databaseUrl = await freshPgUrl();
  replicaA = await startTestBroker(idp, { config: { databaseUrl } });
  replicaB = await startTestBroker(idp, { config: { databaseUrl } });
  [alice, bob] = (await Promise.all(
    ['alice', 'bob'].map(
      async (u) => (await obtainTestTokens(idp.issuer, u, BROKER_AUDIENCE)).accessToken,
    ),
  )) as [string, string];
});
afterAll(async () => {
  await replicaA?.close();
  await replicaB?.close();
  await Promise.all(streams.map((s) => s.ended));
  await idp?.close();
});

describe('two broker replicas on one PostgreSQL', () => {
  it('streams on replica A an approval made on replica B', async () => {
    expect([replicaA.backend, replicaB.backend]).toEqual(['postgres', 'postgres']);
    const aliceOnA = await openSse(`${replicaA.url}/v1/events`, alice);
    streams.push(aliceOnA);
    await waitFor(() => aliceOnA.frames.find((f) => f.event === 'ready'), 'ready on A');

    // Requested on A, approved on B.
    const created = await call(replicaA, 'POST', '/v1/requests', alice, {
      role: 'prod-api-admin',
      durationSeconds: 600,
      reason: 'replica test',
      ticket: 'INC-1',
    });
    expect(created.status).toBe(201);
    const { grant } = grantResponseSchema.parse(created.body);
    const approved = await call(replicaB, 'POST', `/v1/grants/${grant.id}/approve`, bob, {});
    expect(approved.status).toBe(200);

    const seen = await waitFor(
      () =>
        aliceOnA.frames
          .filter((f) => f.event === 'grant')
          .map((f) => brokerEventSchema.parse(JSON.parse(f.data ?? '')))
          .find((e) => e.grant.id === grant.id && e.grant.status === 'active'),
      'the approval made on B, streamed on A',
    );
    expect(seen.audience).toBe('owner');
    // And the grant reads the same from either replica.
    const onA = await call(replicaA, 'GET', `/v1/grants/${grant.id}`, alice);
    expect(grantResponseSchema.parse(onA.body).grant.status).toBe('active');
  });
});
