/**
 * Two replicas (two lifecycles with their own connection pools) on one PostgreSQL schema: the
 * audit chain stays intact under concurrent transactions, every due grant is expired exactly once
 * and every outbox entry is claimed by exactly one replica.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { verifyAuditLog } from '../audit/verify.ts';
import { expireDueGrants } from '../lifecycle/expire-grants.ts';
import { ManualClock, freshPgUrl, testLifecycle, testUser } from '../test-support.ts';
import { openPostgresDatabase } from './open-store.ts';
import type { BrokerDatabase } from './schema.ts';

const GRANTS = 1000;
const t0 = new Date('2030-01-01T00:00:00Z');

async function twoReplicas(): Promise<[Kysely<BrokerDatabase>, Kysely<BrokerDatabase>]> {
  const url = await freshPgUrl();
  const a = await openPostgresDatabase(url, 4);
  // The second replica migrates the same schema: a no-op under Kysely's migration lock.
  const b = await openPostgresDatabase(url, 4);
  return [a, b];
}

describe('PostgreSQL with two replicas', () => {
  const open: Kysely<BrokerDatabase>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.destroy()));
  });

  it('expires 1,000 short grants exactly once each, and claims each revocation once', async () => {
    const [dbA, dbB] = await twoReplicas();
    open.push(dbA, dbB);
    const clock = new ManualClock(t0);
    const replicas = [testLifecycle(dbA, clock), testLifecycle(dbB, clock)] as const;
    // Both replicas take requests at once: the audit chain must not fork or collide.
    await Promise.all(
      Array.from({ length: GRANTS }, async (_, i) => {
        const { service } = i % 2 === 0 ? replicas[0] : replicas[1];
        const result = await service.create(
          () => ({
            kind: 'request',
            id: `g${i}`,
            tenant: 't',
            body: { role: 'ro', durationSeconds: 60, reason: 'r' },
            idempotencyKey: null,
            live: null,
          }),
          testUser(`u${i}`, ['g']),
        );
        expect(result.ok).toBe(true);
      }),
    );
    clock.advance(61_000);
    const runUntilDone = async (index: 0 | 1): Promise<number> => {
      const { repo, service } = replicas[index];
      let expired = 0;
      for (;;) {
        const run = await expireDueGrants(repo, service, clock.now());
        expired += run.due.length;
        if (run.due.length === 0) return expired;
      }
    };
    const [byA, byB] = await Promise.all([runUntilDone(0), runUntilDone(1)]);
    expect(byA + byB).toBe(GRANTS);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);

    const expiredRows = await dbA
      .selectFrom('audit')
      .select(['grant_id'])
      .where('event', '=', 'expired')
      .execute();
    expect(expiredRows).toHaveLength(GRANTS);
    expect(new Set(expiredRows.map((r) => r.grant_id)).size).toBe(GRANTS);
    expect(await verifyAuditLog(dbB)).toMatchObject({ ok: true, records: GRANTS * 3 });

    // Both replicas' outbox workers race over the revocations: each entry goes to one of them.
    const claimed = await Promise.all(
      replicas.map(async ({ repo }) => {
        const seqs: number[] = [];
        for (;;) {
          const batch = await repo.dueEffects(clock.now(), 50);
          if (batch.length === 0) return seqs;
          for (const entry of batch) {
            seqs.push(entry.seq);
            await repo.completeEffects([entry.seq], clock.now());
          }
        }
      }),
    );
    const revokes = await dbA
      .selectFrom('outbox')
      .select('seq')
      .where('action', '=', 'revoke')
      .execute();
    expect(revokes).toHaveLength(GRANTS);
    const all = claimed.flat();
    expect(all.length).toBe(new Set(all).size);
    expect(new Set(all)).toEqual(
      new Set((await dbA.selectFrom('outbox').select('seq').execute()).map((r) => r.seq)),
    );
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the audit table', async () => {
    const [db] = await twoReplicas();
    open.push(db);
    const clock = new ManualClock(t0);
    const { service } = testLifecycle(db, clock);
    await service.create(
      () => ({
        kind: 'request',
        id: 'g1',
        tenant: 't',
        body: { role: 'ro', durationSeconds: 60, reason: 'r' },
        idempotencyKey: null,
        live: null,
      }),
      testUser('alice', ['g']),
    );
    await expect(db.updateTable('audit').set({ actor: 'x' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit').execute()).rejects.toThrow(/append-only/);
    const { sql } = await import('kysely');
    await expect(sql`truncate audit`.execute(db)).rejects.toThrow(/append-only/);
  });
});
