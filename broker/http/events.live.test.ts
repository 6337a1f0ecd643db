import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerEventSchema,
  grantResponseSchema,
  type BrokerEvent,
} from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp, waitFor } from './live-harness.ts';
import { openSse, type SseStream } from './sse-test-client.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let bob: string;
let carol: string;
const open: SseStream[] = [];

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp, { config: { eventHeartbeatSeconds: 0.05 } });
  [alice, bob, carol] = (await Promise.all(
    ['alice', 'bob', 'carol'].map(
      async (u) => (await obtainTestTokens(idp.issuer, u, BROKER_AUDIENCE)).accessToken,
    ),
  )) as [string, string, string];
});
afterAll(async () => {
  // Streams still open: closing the broker must end them (or close would wait forever).
  await broker?.close();
  await Promise.all(open.map((s) => s.ended));
  await idp?.close();
});

async function stream(token: string, lastEventId?: string): Promise<SseStream> {
  const s = await openSse(`${broker.url}/v1/events`, token, lastEventId);
  open.push(s);
  return s;
}

const grantEvents = (s: SseStream): BrokerEvent[] =>
  s.frames
    .filter((f) => f.event === 'grant')
    .map((f) => {
      const event = brokerEventSchema.parse(JSON.parse(f.data ?? ''));
      expect(f.id).toBe(event.id);
      return event;
    });

const eventFor = (s: SseStream, grantId: string, change: string) => () =>
  grantEvents(s).find((e) => e.grant.id === grantId && e.change === change);

const adminRequest = {
  role: 'prod-api-admin',
  durationSeconds: 900,
  reason: 'fix prod',
  ticket: 'INC-7',
};

describe('GET /v1/events (live broker, real IdP tokens, a plain fetch reader)', () => {
  it('opens with ready {now}, heartbeats, and pushes own and approver events within milliseconds', async () => {
    const a = await stream(alice);
    const b = await stream(bob);
    const c = await stream(carol);
    expect(a.status).toBe(200);
    expect(a.contentType).toMatch(/^text\/event-stream/);
    const ready = await waitFor(() => a.frames.find((f) => f.event === 'ready'), 'ready');
    expect(
      Math.abs(
        Date.parse(String((JSON.parse(ready.data ?? '{}') as { now: string }).now)) - Date.now(),
      ),
    ).toBeLessThan(5000);
    await waitFor(() => b.frames.find((f) => f.comment === 'heartbeat'), 'a heartbeat');

    const started = Date.now();
    const created = await call(broker, 'POST', '/v1/requests', alice, adminRequest);
    const { grant } = grantResponseSchema.parse(created.body);
    const forBob = await waitFor(
      eventFor(b, grant.id, 'approval_needed'),
      'bob’s approval_needed event',
    );
    const forAlice = await waitFor(eventFor(a, grant.id, 'requested'), 'alice’s requested event');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(forBob).toMatchObject({
      audience: 'approver',
      grant: { status: 'pending', requesterName: expect.any(String) as string },
    });
    expect(forAlice).toMatchObject({ audience: 'owner', grant: { id: grant.id } });

    await call(broker, 'POST', `/v1/grants/${grant.id}/approve`, bob, {});
    expect(
      await waitFor(eventFor(a, grant.id, 'approved'), 'alice’s approved event'),
    ).toMatchObject({ grant: { status: 'active' } });
    await call(broker, 'POST', `/v1/grants/${grant.id}/revoke`, bob, { reason: 'over' });
    await waitFor(eventFor(a, grant.id, 'revoked'), 'alice’s revoked event');

    // carol is neither owner nor approver: her own event arrives, alice's never did.
    const own = grantResponseSchema.parse(
      (
        await call(broker, 'POST', '/v1/requests', carol, {
          role: 'audit-reader',
          durationSeconds: 60,
          reason: '',
        })
      ).body,
    );
    await waitFor(eventFor(c, own.grant.id, 'activated'), 'carol’s own event');
    expect(grantEvents(c).map((e) => e.grant.id)).toEqual([own.grant.id]);
    // Ids are increasing outbox sequence numbers.
    const ids = grantEvents(a).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('resumes with Last-Event-ID (and ?lastEventId=) without losing an event dropped meanwhile', async () => {
    const first = await stream(alice);
    await waitFor(() => first.frames.find((f) => f.event === 'ready'), 'ready');
    const created = grantResponseSchema.parse(
      (await call(broker, 'POST', '/v1/requests', alice, adminRequest)).body,
    );
    const seen = await waitFor(eventFor(first, created.grant.id, 'requested'), 'requested');
    first.close();
    // While alice's stream is down, bob approves and extends nothing; she must still learn of it.
    await call(broker, 'POST', `/v1/grants/${created.grant.id}/approve`, bob, { comment: 'ok' });
    await call(broker, 'POST', `/v1/grants/${created.grant.id}/revoke`, alice, {});
    const resumed = await stream(alice, seen.id);
    await waitFor(eventFor(resumed, created.grant.id, 'revoked'), 'the revoked event after resume');
    const changes = grantEvents(resumed)
      .filter((e) => e.grant.id === created.grant.id)
      .map((e) => e.change);
    expect(changes).toEqual(['approved', 'revoked']);
    expect(resumed.frames[0]?.event).toBe('ready');

    const byQuery = await openSse(`${broker.url}/v1/events?lastEventId=${seen.id}`, alice);
    open.push(byQuery);
    await waitFor(
      eventFor(byQuery, created.grant.id, 'revoked'),
      'resume through the query fallback',
    );
  });

  it('a malformed Last-Event-ID is a 400 in the error body; no token is a 401', async () => {
    const bad = await fetch(`${broker.url}/v1/events`, {
      headers: { authorization: `Bearer ${alice}`, 'last-event-id': 'abc' },
    });
    expect(bad.status).toBe(400);
    expect(errorBodySchema.parse(await bad.json()).error.message).toMatch(/Last-Event-ID/);
    expect((await fetch(`${broker.url}/v1/events`)).status).toBe(401);
  });

  it('a client that disconnects leaves no subscription behind', async () => {
    const before = broker.bus.size();
    const s = await stream(carol);
    await waitFor(() => s.frames.find((f) => f.event === 'ready'), 'ready');
    expect(broker.bus.size()).toBe(before + 1);
    s.close();
    await waitFor(
      () => (broker.bus.size() === before ? true : undefined),
      'the subscription to end',
    );
  });
});
