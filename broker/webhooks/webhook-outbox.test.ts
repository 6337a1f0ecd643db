/**
 * Webhook deliveries as outbox entries (real store, real HTTP receiver, injected clock): the
 * stored snapshot holds no secret, an `expiring` whose grant ended meanwhile is skipped, and a
 * target that keeps failing is given up after the bound with one log line, not an alarm.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { providerRegistry } from '../credentials/provider.ts';
import { createOutboxWorker, OUTBOX_RETRY_MAX_MS } from '../lifecycle/outbox-worker.ts';
import { jwtEffects } from '../providers/jwt/jwt.provider.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import {
  ManualClock,
  openTestDatabase,
  seedRequest,
  testLifecycle,
  testPolicy,
  testUser,
} from '../test-support.ts';
import { createWebhookSender } from './webhook-delivery.ts';
import { EXPIRING_LEAD_MS, webhookDeliveries, type WebhookTarget } from './webhooks.ts';

const SECRET = 'outbox-webhook-secret';
const t0 = new Date('2030-01-01T00:00:00Z');
let receiver: Server;
let status = 200;
const received: { event: string; grant: { id: string; expiresAt: string | null } }[] = [];
let db: Kysely<BrokerDatabase> | undefined;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.statusCode = status;
      if (status === 200) received.push(JSON.parse(body) as (typeof received)[number]);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(() => receiver?.close());
afterEach(async () => {
  await db?.destroy();
  received.length = 0;
  status = 200;
});

async function setup(opts: { webhookAttempts?: number } = {}) {
  db = await openTestDatabase();
  const clock = new ManualClock(t0);
  const port = (receiver.address() as AddressInfo).port;
  const targets: WebhookTarget[] = [
    { url: `http://127.0.0.1:${port}/hook?token=url-secret`, format: 'json', secret: SECRET },
  ];
  const policy = testPolicy();
  const { repo, service } = testLifecycle(db, clock, policy, {}, (grant, changes, at) =>
    webhookDeliveries(targets, grant, changes, policy, at),
  );
  const errors: string[] = [];
  const worker = createOutboxWorker({
    repo,
    providers: providerRegistry(jwtEffects(repo)),
    clock,
    onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    webhooks: createWebhookSender(targets, (id) => repo.findGrant(id)),
    ...opts,
  });
  return { db, clock, repo, service, worker, errors };
}

describe('webhook outbox entries', () => {
  it('stores no secret, and skips an expiring whose grant ended before its time', async () => {
    const { db: store, clock, service, worker } = await setup();
    await seedRequest(service, testUser('alice', ['g']), { id: 'g1', role: 'ro', seconds: 3600 });
    const payloads = await store.selectFrom('outbox').select('payload').execute();
    const text = JSON.stringify(payloads);
    expect(text).toContain('expiring');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('url-secret');
    await worker.runOnce();
    expect(received.map((r) => r.event)).toEqual(['activated']);

    const revoked = await service.apply(
      'g1',
      { kind: 'revoke', reason: 'done' },
      testUser('alice', ['g']),
    );
    expect(revoked.ok).toBe(true);
    await worker.runOnce();
    expect(received.map((r) => r.event)).toEqual(['activated', 'revoked']);

    clock.advance(3600_000 - EXPIRING_LEAD_MS);
    await worker.runOnce();
    expect(received.map((r) => r.event)).toEqual(['activated', 'revoked']);
    const pending = await store
      .selectFrom('outbox')
      .select('seq')
      .where('done_at', 'is', null)
      .execute();
    expect(pending).toEqual([]);
  });

  it('skips an expiring whose deadline moved, and sends the one for the new deadline', async () => {
    const { clock, service, worker } = await setup();
    const alice = testUser('alice', ['g']);
    await seedRequest(service, alice, { id: 'g3', role: 'ro', seconds: 600 });
    await worker.runOnce();
    const extended = await service.apply('g3', { kind: 'extend', durationSeconds: 1800 }, alice);
    expect(extended).toMatchObject({ ok: true });
    const newEnd = extended.ok ? extended.grant.expiresAt : null;
    // An extension counts from now: the end moves from 600 s to 1,800 s.
    clock.advance(600_000 - EXPIRING_LEAD_MS);
    await worker.runOnce();
    expect(received.map((r) => r.event)).toEqual(['activated']);
    clock.advance(1200_000);
    await worker.runOnce();
    expect(received.map((r) => [r.event, r.grant.expiresAt])).toEqual([
      ['activated', expect.any(String)],
      ['expiring', newEnd],
    ]);
  });

  it('gives up a target that keeps failing after the bound, with a log line and no alarm', async () => {
    const { db: store, clock, repo, service, worker, errors } = await setup({ webhookAttempts: 3 });
    status = 500;
    await seedRequest(service, testUser('bob', ['g']), { id: 'g2', role: 'ro', seconds: 3600 });
    for (let i = 0; i < 3; i += 1) {
      await worker.runOnce();
      clock.advance(OUTBOX_RETRY_MAX_MS);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/gave up the activated webhook of grant g2 after 3 attempts: .*500/);
    expect(errors[0]).not.toContain('url-secret');
    const activated = await store
      .selectFrom('outbox')
      .select(['attempts', 'done_at'])
      .where('action', '=', 'activated')
      .executeTakeFirstOrThrow();
    expect(activated.attempts).toBe(3);
    expect(activated.done_at).not.toBeNull();
    // One audit row for the first failure; the grant is not marked irrevocable; health stays ok.
    const failedRows = await store
      .selectFrom('audit')
      .select('event')
      .where('event', '=', 'effect_failed')
      .execute();
    expect(failedRows).toHaveLength(1);
    expect((await repo.findGrant('g2'))?.irrevocableAt ?? null).toBeNull();
    expect((await repo.outboxStats()).failing).toBe(0);
  });
});
