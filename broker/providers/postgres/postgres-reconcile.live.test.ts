/**
 * Issue 18, finding 0 (high), at a real PostgreSQL target (the throwaway cluster): the provider
 * re-checks at the target, under the role's lock, that the grant is still live before it creates
 * or moves a login role; and reconciliation lists the broker's marked `hg_` roles, removes those no
 * grant accounts for (audited as `orphan_removed`, counted for /healthz and /metrics), and leaves
 * every other role alone.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../audit/verify.ts';
import { loadOrCreateSigningKey } from '../../credentials/signing-key.ts';
import type { BoundProvider } from '../../credentials/provider.ts';
import { GrantNotLiveError } from '../../lifecycle/grant-liveness.ts';
import { createReconciler } from '../../lifecycle/reconciler.ts';
import type { BrokerDatabase } from '../../store/schema.ts';
import type { GrantRepository } from '../../store/grant-repository.ts';
import type { GrantService } from '../../lifecycle/grant-service.ts';
import {
  ManualClock,
  TEST_BACKEND,
  openTestDatabase,
  seedActiveGrant,
  tempDir,
  testLifecycle,
  testUser,
} from '../../test-support.ts';
import { createPgTarget, type PgTargetFixture } from './pg-target.fixture.ts';
import { providerDefinition } from './postgres.provider.ts';
import { loginRoleName } from './role-login.ts';

let target: PgTargetFixture;
beforeAll(async () => {
  target = await createPgTarget();
});
afterAll(async () => {
  await target?.drop();
});

describe(`postgres provider liveness and reconciliation (${TEST_BACKEND}), threat: login roles outliving their grants`, () => {
  let db: Kysely<BrokerDatabase>;
  let repo: GrantRepository;
  let service: GrantService;
  let provider: BoundProvider;
  const clock = new ManualClock(new Date());

  const start = async () => {
    db = await openTestDatabase();
    ({ repo, service } = testLifecycle(db, clock));
    const settings = {
      kind: 'postgres' as const,
      target: 'orders',
      role: target.groupRole,
      connectionLimit: 2,
    };
    provider = await providerDefinition.create({
      repo,
      clock,
      signingKey: await loadOrCreateSigningKey(join(tempDir(), 'key.jwk')),
      publicUrl: () => 'http://127.0.0.1:9',
      roles: [{ role: 'ro', settings }],
      settingsOf: () => settings,
      targets: new Map([['orders', { kind: 'postgres', adminUrl: { env: 'HG_RECONCILE_ADMIN' } }]]),
      env: { HG_RECONCILE_ADMIN: target.adminUrl },
    });
  };
  const grant = async (id: string) => {
    const found = await repo.findGrant(id);
    if (!found) throw new Error(`no grant ${id}`);
    return found;
  };
  afterEach(async () => {
    for (const role of await target.grantRoles()) await target.admin(`DROP ROLE ${role}`);
    await db?.destroy();
  });

  it('a create that comes after its grant was revoked creates nothing at the target', async () => {
    await start();
    await seedActiveGrant(db, 'g1', 600, clock.now());
    const asClaimed = await grant('g1');
    const revoked = await service.apply(
      'g1',
      { kind: 'revoke', reason: 'x' },
      testUser('alice-g1', ['g']),
    );
    expect(revoked.ok).toBe(true);
    // The revoke ran first and found nothing; the create claimed before it comes now.
    await provider.revoke(await grant('g1'), clock.now());
    await expect(provider.issue(asClaimed, clock.now())).rejects.toBeInstanceOf(GrantNotLiveError);
    expect(await target.grantRoles()).toEqual([]);
    // Its deadline passed without an expiry yet (the broker was down): not live either.
    await seedActiveGrant(db, 'g2', 5, clock.now());
    clock.advance(6000);
    await expect(provider.issue(await grant('g2'), clock.now())).rejects.toBeInstanceOf(
      GrantNotLiveError,
    );
    expect(await target.grantRoles()).toEqual([]);
  });

  it('removes marked login roles no grant accounts for, audits each, and leaves the rest alone', async () => {
    await start();
    await seedActiveGrant(db, 'k1', 600, clock.now());
    await seedActiveGrant(db, 'k2', 600, clock.now());
    await provider.issue(await grant('k1'), clock.now());
    await provider.issue(await grant('k2'), clock.now());
    // Another broker's role on the same cluster: same prefix and group, not this broker's mark.
    const foreign = 'hg_someoneelse_0123456789abcdef';
    await target.admin(`CREATE ROLE ${foreign} LOGIN IN ROLE ${target.groupRole}`);
    const errors: unknown[] = [];
    const reconciler = createReconciler({
      repo,
      providers: new Map([['postgres', provider]]),
      clock,
      onError: (e) => errors.push(e),
    });
    const names = [loginRoleName(await grant('k1')), loginRoleName(await grant('k2'))];
    expect((await target.grantRoles()).sort()).toEqual([...names, foreign].sort());
    expect(await reconciler.runOnce()).toEqual([]);

    // k2 ends; its revoke is pending: its role is still accounted for (the revoke will act).
    expect(
      (await service.apply('k2', { kind: 'revoke', reason: 'x' }, testUser('alice-k2', ['g']))).ok,
    ).toBe(true);
    expect(await reconciler.runOnce()).toEqual([]);
    // The revoke is recorded done but the role is still there (what a crash once left behind).
    const pending = await db
      .selectFrom('outbox')
      .select('seq')
      .where('grant_id', '=', 'k2')
      .where('done_at', 'is', null)
      .execute();
    await repo.completeEffects(
      pending.map((r) => r.seq),
      clock.now(),
    );
    expect(await reconciler.runOnce()).toEqual([
      { kind: 'postgres', target: 'orders', name: names[1] },
    ]);
    expect((await target.grantRoles()).sort()).toEqual([names[0], foreign].sort());

    const audited = await db
      .selectFrom('audit')
      .selectAll()
      .where('event', '=', 'orphan_removed')
      .execute();
    expect(audited.map((r): unknown => JSON.parse(r.details))).toEqual([
      { provider: 'postgres', target: 'orders', name: names[1] },
    ]);
    expect((await verifyAuditLog(db)).ok).toBe(true);
    const status = reconciler.status();
    expect(status.removed).toEqual({ postgres: 1 });
    expect(status.recent.map((r) => r.name)).toEqual([names[1]]);
    expect(status.providers).toEqual({ postgres: 'listed' });
    expect(errors).toEqual([]);
    await target.admin(`DROP ROLE ${foreign}`);
  });
});
