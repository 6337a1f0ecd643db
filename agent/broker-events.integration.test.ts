import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTestTokens } from '../demo/idp-login-driver.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import type { BrokerEvent, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';
import { createBrokerClient } from './broker-client.ts';
import type { StreamState } from './broker-events.ts';
import { backoffDelayMs, startBrokerEventStream } from './broker-events.ts';
import { systemClock } from './clock.ts';

// Real IdP + real broker: the event stream, dropped mid-flow, resumes with Last-Event-ID.

const waitFor = async (what: string, check: () => boolean, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('broker event stream (real broker)', () => {
  let stack: DemoStack;
  let alice: BrokerClient;
  let bob: BrokerClient;
  let aliceToken: string;

  beforeAll(async () => {
    stack = await startDemoStack({
      dataDir: join(mkdtempSync(join(tmpdir(), 'hg-sse-')), 'stack'),
    });
    const client = async (user: string) => {
      const tokens = await obtainTestTokens(stack.issuer, user, stack.brokerAudience);
      const accessToken = (): Promise<Result<string>> => Promise.resolve(ok(tokens.accessToken));
      return {
        tokens,
        client: createBrokerClient({ brokerUrl: stack.brokerUrl, accessToken, clock: systemClock }),
      };
    };
    const a = await client('alice');
    aliceToken = a.tokens.accessToken;
    alice = a.client;
    bob = (await client('bob')).client;
  }, 30_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('drops the stream mid-flow and loses no event: the reconnect resumes after the last id', async () => {
    const events: BrokerEvent[] = [];
    const states: StreamState[] = [];
    let tokenCalls = 0;
    let gate: Promise<void> = Promise.resolve();
    const stream = startBrokerEventStream({
      brokerUrl: stack.brokerUrl,
      // A fresh token per connection; the second connection is held until the test lets it go.
      accessToken: async () => {
        tokenCalls += 1;
        await gate;
        return ok(aliceToken);
      },
      onEvent: (event) => {
        events.push(event);
        return Promise.resolve();
      },
      onState: (state) => states.push(state),
      baseDelayMs: 10,
    });
    try {
      await waitFor('online', () => states.includes('online'));
      const asked = await alice.createRequest(
        { role: 'prod-api-admin', durationSeconds: 600, reason: 'INC-3 resume', ticket: 'INC-3' },
        'sse-resume-test-key-0001',
      );
      if (!asked.ok) throw new Error(asked.error.message);
      const grantId = asked.value.grant.id;
      expect((await bob.approveGrant(grantId, {})).ok).toBe(true);
      await waitFor('the approval event', () => events.some((e) => e.grant.status === 'active'));
      const seenBeforeDrop = events.length;

      // Drop: the next connection waits at the gate while the grant is extended and revoked.
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      stream.reconnect();
      await waitFor('the reconnect attempt', () => tokenCalls >= 2);
      expect((await alice.extendGrant(grantId, { durationSeconds: 900 })).ok).toBe(true);
      expect((await bob.revokeGrant(grantId, { reason: 'over' })).ok).toBe(true);
      expect(events).toHaveLength(seenBeforeDrop);
      open();
      await waitFor('the replayed revocation', () =>
        events.some((e) => e.grant.status === 'revoked'),
      );

      // Nothing lost, nothing twice: the same as a fresh stream that reads everything from the start.
      const everything: BrokerEvent[] = [];
      const full = startBrokerEventStream({
        brokerUrl: stack.brokerUrl,
        accessToken: () => Promise.resolve(ok(aliceToken)),
        lastEventId: '0',
        onEvent: (event) => {
          everything.push(event);
          return Promise.resolve();
        },
        onState: () => {},
      });
      await waitFor('the full history', () => everything.some((e) => e.grant.status === 'revoked'));
      full.stop();
      const ofGrant = (list: BrokerEvent[]) =>
        list.filter((e) => e.grant.id === grantId).map((e) => `${e.id}:${e.change}`);
      expect(ofGrant(events)).toEqual(ofGrant(everything));
      expect(ofGrant(events).map((e) => e.split(':')[1])).toEqual(
        expect.arrayContaining(['extended', 'revoked']),
      );
      const ids = events.map((e) => Number(e.id));
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(stream.lastEventId()).toBe(events.at(-1)?.id);
    } finally {
      stream.stop();
    }
  }, 30_000);

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelayMs(0, 500, 30_000, 1)).toBe(500);
    expect(backoffDelayMs(0, 500, 30_000, 0)).toBe(250);
    expect(backoffDelayMs(3, 500, 30_000, 1)).toBe(4000);
    expect(backoffDelayMs(30, 500, 30_000, 1)).toBe(30_000);
  });
});
