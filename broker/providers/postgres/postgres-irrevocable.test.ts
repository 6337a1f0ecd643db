import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../audit/verify.ts';
import { loadOrCreateSigningKey } from '../../credentials/signing-key.ts';
import { createOutboxWorker, retryDelayMs } from '../../lifecycle/outbox-worker.ts';
import type { BrokerDatabase } from '../../store/schema.ts';
import {
  ManualClock,
  openTestDatabase,
  seedRequest,
  tempDir,
  testLifecycle,
  testPgUrl,
  testPolicy,
  testUser,
} from '../../test-support.ts';
import { startProviders } from '../registry.ts';
import { createPgTarget, type PgTargetFixture } from './pg-target.fixture.ts';
import { loginRoleName } from './role-login.ts';

let target: PgTargetFixture;
let db: Kysely<BrokerDatabase>;
const blocker = `hg_block_${process.pid}`;

async function inClusterDb(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

beforeAll(async () => {
  target = await createPgTarget();
  db = await openTestDatabase();
});
afterAll(async () => {
  await inClusterDb(`DROP SCHEMA IF EXISTS ${blocker} CASCADE`).catch(() => undefined);
  await db?.destroy();
  await target?.drop();
});

describe('a target that refuses DROP ROLE (real PostgreSQL)', () => {
  it('keeps retrying with backoff, raises the irrevocable alarm once, and finishes when the target allows it', async () => {
    const clock = new ManualClock(new Date());
    const policy = testPolicy(
      `tenant: t\nroles:\n  - name: pg-ro\n    provider: { kind: postgres, target: orders, role: ${target.groupRole} }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n`,
    );
    const { repo, service } = testLifecycle(db, clock, policy);
    const providers = await startProviders({
      repo,
      clock,
      signingKey: await loadOrCreateSigningKey(join(tempDir(), 'k.jwk')),
      publicUrl: () => 'http://127.0.0.1:1',
      policyRoles: policy.roles,
      targets: { orders: { kind: 'postgres', adminUrl: { env: 'ADMIN' } } },
      env: { ADMIN: target.adminUrl },
    });
    const alarms: string[] = [];
    const worker = createOutboxWorker({
      repo,
      providers,
      clock,
      random: () => 1,
      irrevocableAfter: 2,
      onError: (e) => {
        throw e;
      },
      onIrrevocable: async (grantId, attempts, error) => {
        alarms.push(`${grantId} at ${clock.now().toISOString()}`);
        await service.apply(
          grantId,
          { kind: 'targetIrrevocable', attempts, error },
          { kind: 'broker' },
        );
      },
      onRevokedLate: async (grantId, attempts) => {
        await service.apply(grantId, { kind: 'targetRevoked', attempts }, { kind: 'broker' });
      },
    });
    const mark = async () => (await repo.findGrant('gpg1'))?.irrevocableAt ?? null;
    const alice = testUser('alice', ['g']);
    await seedRequest(service, alice, { id: 'gpg1', role: 'pg-ro', seconds: 600 });
    expect(await worker.runOnce()).toEqual({ done: 1, failed: 0 });
    const role = loginRoleName({ id: 'gpg1', subject: 'alice' });
    expect(await target.admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).toHaveLength(1);

    // The login owns a schema in another database that holds another role's table: DROP OWNED
    // (RESTRICT) refuses to drop it, and the table is not the login's to drop.
    await inClusterDb(
      `CREATE SCHEMA ${blocker} AUTHORIZATION ${role}; CREATE TABLE ${blocker}.pin (id int)`,
    );
    expect((await service.apply('gpg1', { kind: 'revoke', reason: 'x' }, alice)).ok).toBe(true);
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    clock.advance(retryDelayMs(1, () => 1));
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    clock.advance(retryDelayMs(2, () => 1));
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    expect(alarms).toHaveLength(1);
    // The grant carries the mark (every client shows it) and /metrics counts it.
    const marked = await repo.findGrant('gpg1');
    expect(marked?.status).toBe('revoked');
    expect(alarms).toEqual([`gpg1 at ${marked?.irrevocableAt ?? 'no mark'}`]);
    expect(marked && service.view(marked, clock.now()).irrevocableAt).toBe(marked?.irrevocableAt);
    expect((await repo.grantCounts()).irrevocable).toBe(1);
    // No new logins meanwhile, even though the role is still there.
    const left = await target.admin<{ rolcanlogin: boolean }>(
      'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
      [role],
    );
    expect(left).toEqual([{ rolcanlogin: false }]);
    const audit = await db.selectFrom('audit').select(['event', 'details']).execute();
    const alarm = audit.filter((r) => r.event === 'target_irrevocable');
    expect(alarm).toHaveLength(1);
    expect(JSON.parse(alarm[0]?.details ?? '{}')).toMatchObject({
      provider: 'postgres',
      attempts: 2,
    });
    const events = await repo.eventsAfter(0, 100);
    expect(events.filter((e) => e.change === 'irrevocable').map((e) => e.audience.kind)).toEqual([
      'owner',
      'approver',
    ]);
    expect((await repo.outboxStats()).failing).toBe(1);

    await inClusterDb(`DROP SCHEMA ${blocker} CASCADE`);
    clock.advance(retryDelayMs(3, () => 1));
    expect(await worker.runOnce()).toEqual({ done: 1, failed: 0 });
    expect(await target.admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).toEqual([]);
    // The alarm ends: the mark is cleared, audited and announced.
    expect(await mark()).toBeNull();
    expect((await repo.grantCounts()).irrevocable).toBe(0);
    const late = (await db.selectFrom('audit').select('event').execute()).map((r) => r.event);
    expect(late.filter((e) => e === 'target_revoked_late')).toHaveLength(1);
    const ended = (await repo.eventsAfter(0, 100)).filter((e) => e.change === 'target_revoked');
    expect(ended.map((e) => e.audience.kind)).toEqual(['owner', 'approver']);
    expect((await verifyAuditLog(db)).ok).toBe(true);
    for (const provider of providers.values()) await provider.close();
  }, 20_000);
});
