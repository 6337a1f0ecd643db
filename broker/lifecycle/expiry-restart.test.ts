import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../config.ts';
import { startBroker } from '../start-broker.ts';
import { openStore } from '../store/open-store.ts';
import { ManualClock, seedActiveGrant, tempDir, testStoreLocation } from '../test-support.ts';

const demoPolicy = fileURLToPath(new URL('../../demo/policy.yaml', import.meta.url));

// SECURITY 19: grants that expired while the broker was down are expired right after it starts,
// with no client calling in, and their revocation is carried out through the outbox.
describe('a broker restarted after a deadline passed', () => {
  it('expires the overdue grant at start and revokes its credential', async () => {
    const dir = tempDir();
    const location = await testStoreLocation();
    const t0 = new Date('2030-01-01T00:00:00Z');
    const { db } = await openStore(location);
    await seedActiveGrant(db, 'g1', 60, t0);
    await seedActiveGrant(db, 'g2', 3600, t0);
    await db.destroy();

    const clock = new ManualClock(new Date(t0.getTime() + 61_000));
    const config = parseBrokerConfig({
      issuers: [{ issuer: 'http://127.0.0.1:9', audience: 'urn:hourglass:broker' }],
      policyPath: demoPolicy,
      ...location,
      signingKeyPath: join(dir, 'key.jwk'),
    });
    if (config.status === 'error') throw new Error(config.message);
    const broker = await startBroker(config.config, {
      clock,
      onInternalError: (error) => {
        throw error;
      },
    });
    try {
      const rows = await broker.db
        .selectFrom('grants')
        .select(['id', 'status', 'ended_at'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 'g1', status: 'expired', ended_at: new Date(t0.getTime() + 60_000).toISOString() },
        { id: 'g2', status: 'active', ended_at: null },
      ]);
      const health = (await (await fetch(`${broker.url}/healthz`)).json()) as {
        outbox: { pending: number };
      };
      expect(health.outbox).toMatchObject({ pending: expect.any(Number) as number });
      const deadline = Date.now() + 3000;
      while ((await broker.repo.outboxStats()).pending > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const outbox = await broker.db
        .selectFrom('outbox')
        .select(['grant_id', 'action', 'done_at'])
        .orderBy('seq')
        .execute();
      expect(outbox.map((o) => [o.grant_id, o.action, o.done_at !== null])).toEqual([
        ['g1', 'issue', true],
        ['g2', 'issue', true],
        ['g1', 'revoke', true],
      ]);
    } finally {
      await broker.close();
    }
  });
});
