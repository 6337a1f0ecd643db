/**
 * Webhooks are outbox entries, so they outlive the broker: a delivery failing when the broker
 * stops is delivered (once) by the next broker on the same store, an `expiring` committed before a
 * restart fires after it, and two replicas on one PostgreSQL deliver each event once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { call, startTestBroker, startTestIdp, waitFor } from '../http/live-harness.ts';
import type { RunningBroker } from '../start-broker.ts';
import { freshPgUrl, tempDir, TEST_BACKEND } from '../test-support.ts';

interface Delivery {
  event: string;
  at: string;
  grant: { id: string; expiresAt: string | null };
}

let idp: DemoIdp;
let receiver: Server;
let base = '';
/** Answers 500 to every delivery while true; otherwise 200 (or 500 to a first attempt, below). */
let failing = false;
/** When true, the first attempt of each (grant, event) fails once. */
let failFirst = false;
const attempts = new Map<string, number>();
const delivered: Delivery[] = [];
const running: RunningBroker[] = [];

const keyOf = (d: Delivery) => `${d.grant.id}/${d.event}`;
const deliveredOf = (grantId: string) => delivered.filter((d) => d.grant.id === grantId);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as Delivery;
      const seen = (attempts.get(keyOf(parsed)) ?? 0) + 1;
      attempts.set(keyOf(parsed), seen);
      res.statusCode = failing || (failFirst && seen === 1) ? 500 : 200;
      if (res.statusCode === 200) delivered.push(parsed);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  idp = await startTestIdp();
});
afterAll(async () => {
  await Promise.all(running.map((b) => b.close()));
  await idp?.close();
  receiver?.close();
});

/** A store (SQLite file or PostgreSQL schema) that outlives one broker. */
async function durableStore(): Promise<Record<string, string>> {
  const dir = tempDir();
  return {
    databasePath: join(dir, 'broker.sqlite'),
    signingKeyPath: join(dir, 'signing.jwk'),
    ...(TEST_BACKEND === 'postgres' ? { databaseUrl: await freshPgUrl() } : {}),
  };
}

async function start(store: Record<string, string>): Promise<RunningBroker> {
  const broker = await startTestBroker(idp, {
    config: { ...store, webhooks: [{ url: `${base}/json` }] },
  });
  running.push(broker);
  return broker;
}

async function stop(broker: RunningBroker): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  await broker.close();
}

/** Webhook entries not yet done, other than `expiring` warnings waiting for their time. */
async function pendingDeliveries(broker: RunningBroker): Promise<number> {
  const rows = await broker.db
    .selectFrom('outbox')
    .select('seq')
    .where('kind', '=', 'webhook')
    .where('action', '!=', 'expiring')
    .where('done_at', 'is', null)
    .execute();
  return rows.length;
}

async function request(broker: RunningBroker, user: string, role: string, seconds: number) {
  const token = (await obtainTestTokens(idp.issuer, user, BROKER_AUDIENCE)).accessToken;
  const created = await call(broker, 'POST', '/v1/requests', token, {
    role,
    durationSeconds: seconds,
    reason: 'durable webhook test',
  });
  expect(created.status).toBe(201);
  return (created.body as { grant: { id: string; expiresAt: string } }).grant;
}

describe('durable webhooks', () => {
  it('delivers, once, a webhook that was failing when the broker stopped', async () => {
    const store = await durableStore();
    const first = await start(store);
    failing = true;
    const grant = await request(first, 'alice', 'prod-api-readonly', 600);
    const key = `${grant.id}/activated`;
    await waitFor(() => ((attempts.get(key) ?? 0) >= 1 ? true : undefined), 'a failed attempt');
    await stop(first);
    expect(deliveredOf(grant.id)).toEqual([]);
    failing = false;
    const second = await start(store);
    await waitFor(
      () => deliveredOf(grant.id).find((d) => d.event === 'activated'),
      'the delivery after the restart',
      15_000,
    );
    await waitFor(
      async () => ((await pendingDeliveries(second)) === 0 ? true : undefined),
      'the entry marked done',
    );
    expect(deliveredOf(grant.id).map((d) => d.event)).toEqual(['activated']);
    await stop(second);
  });

  it('sends an expiring committed before a restart after it', async () => {
    const store = await durableStore();
    const first = await start(store);
    const grant = await request(first, 'alice', 'prod-api-readonly', 6);
    await stop(first);
    await start(store);
    const expiring = await waitFor(
      () => deliveredOf(grant.id).find((d) => d.event === 'expiring'),
      'the expiring webhook from the restarted broker',
      8000,
    );
    // Due at half the grant's six seconds before its end, snapshot of the deadline it warns of.
    const lead = Date.parse(grant.expiresAt) - Date.parse(expiring.at);
    expect(lead).toBeGreaterThan(2500);
    expect(lead).toBeLessThanOrEqual(3000);
    expect(expiring.grant.expiresAt).toBe(grant.expiresAt);
    await waitFor(() => deliveredOf(grant.id).find((d) => d.event === 'expired'), 'expired', 8000);
    expect(deliveredOf(grant.id).filter((d) => d.event === 'expiring')).toHaveLength(1);
  });

  it.skipIf(TEST_BACKEND !== 'postgres')(
    'two replicas on one PostgreSQL deliver each event once',
    async () => {
      const store = await durableStore();
      const a = await start(store);
      const b = await start(store);
      failFirst = true;
      // Requests on both replicas: both workers wake and race over the shared outbox (every
      // first attempt fails, so the retries fall due on both replicas' timers too).
      const grants = await Promise.all([
        request(a, 'alice', 'prod-api-readonly', 600),
        request(b, 'bob', 'prod-api-readonly', 600),
        request(a, 'carol', 'audit-reader', 600),
        request(b, 'bob', 'prod-api-breakglass', 600),
      ]);
      const expected = grants.length + 1; // the break-glass grant also sends `break_glass`
      const ids = new Set(grants.map((g) => g.id));
      const keysOf = () =>
        delivered.filter((d) => ids.has(d.grant.id) && d.event !== 'expiring').map(keyOf);
      await waitFor(
        () => (new Set(keysOf()).size >= expected ? true : undefined),
        'every event delivered',
        15_000,
      );
      await waitFor(
        async () => ((await pendingDeliveries(a)) === 0 ? true : undefined),
        'every entry done',
      );
      const keys = keysOf();
      expect(keys).toHaveLength(expected);
      expect(new Set(keys).size).toBe(expected);
      for (const key of keys) expect(attempts.get(key)).toBe(2);
      failFirst = false;
    },
  );
});
