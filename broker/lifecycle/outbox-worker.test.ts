import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { CredentialProvider } from '../credentials/provider.ts';
import { providerRegistry } from '../credentials/provider.ts';
import { jwtEffects } from '../providers/jwt/jwt.provider.ts';
import { verifyAuditLog } from '../audit/verify.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import {
  ManualClock,
  openTestDatabase,
  seedActiveGrant,
  testLifecycle,
  testUser,
} from '../test-support.ts';
import {
  createOutboxWorker,
  retryDelayMs,
  OUTBOX_RETRY_BASE_MS,
  type OutboxWorkerDeps,
} from './outbox-worker.ts';

const t0 = new Date('2030-01-01T00:00:00Z');

/**
 * A target that is down for its first `downFor` calls, then up. It stands in for a database or
 * SSH host that cannot be reached; what it records is what reached the target.
 */
function flakyTarget(downFor: number): CredentialProvider & { revoked: string[] } {
  let calls = 0;
  const revoked: string[] = [];
  const attempt = () => {
    calls += 1;
    if (calls <= downFor) throw new Error(`target unreachable (attempt ${calls})`);
  };
  return {
    kind: 'jwt',
    revoked,
    issue: () => Promise.resolve(attempt()),
    reissue: () => Promise.resolve(attempt()),
    revoke: (grant) => {
      attempt();
      revoked.push(grant.id);
      return Promise.resolve();
    },
  };
}

/** A worker whose internal errors fail the test, revoking at `target`. */
function strictWorker(
  deps: Pick<OutboxWorkerDeps, 'repo' | 'clock'> & Partial<OutboxWorkerDeps>,
  target: CredentialProvider = jwtEffects(deps.repo),
) {
  return createOutboxWorker({
    providers: providerRegistry(target),
    onError: (e) => {
      throw e;
    },
    ...deps,
  });
}

describe('outbox worker (real SQLite, injected clock)', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
  });

  it('retries a failing effect with backoff, keeps the failure visible, then succeeds', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'g1', 600, clock.now());
    // The issue effect of the seed is carried out by a healthy target first.
    const healthy = strictWorker({ repo, clock });
    expect(await healthy.runOnce()).toEqual({ done: 1, failed: 0 });

    const revoked = await service.apply(
      'g1',
      { kind: 'revoke', reason: 'done' },
      testUser('alice-g1', ['g']),
    );
    expect(revoked.ok).toBe(true);
    const target = flakyTarget(2);
    const worker = strictWorker({ repo, clock, random: () => 1 }, target);

    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    expect(await repo.outboxStats()).toEqual({
      pending: 1,
      failing: 1,
      lastError: 'target unreachable (attempt 1)',
    });
    // Not due again before the backoff: nothing is attempted.
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 0 });
    clock.advance(retryDelayMs(1, () => 1));
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    const row = await db
      .selectFrom('outbox')
      .selectAll()
      .where('action', '=', 'revoke')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      attempts: 2,
      last_error: 'target unreachable (attempt 2)',
      done_at: null,
    });
    expect(Date.parse(row.next_attempt_at) - clock.now().getTime()).toBe(retryDelayMs(2, () => 1));
    clock.advance(retryDelayMs(2, () => 1));
    expect(await worker.runOnce()).toEqual({ done: 1, failed: 0 });
    expect(target.revoked).toEqual(['g1']);
    expect(await repo.outboxStats()).toEqual({ pending: 0, failing: 0, lastError: null });
    // The first failure is in the audit log too, once; the chain still verifies.
    const failures = await db
      .selectFrom('audit')
      .select('details')
      .where('event', '=', 'effect_failed')
      .execute();
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]?.details ?? '{}')).toMatchObject({ action: 'revoke' });
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('backoff doubles, is jittered between half and all, and is capped', () => {
    expect(retryDelayMs(1, () => 0)).toBe(OUTBOX_RETRY_BASE_MS / 2);
    expect(retryDelayMs(1, () => 1)).toBe(OUTBOX_RETRY_BASE_MS);
    expect(retryDelayMs(3, () => 1)).toBe(OUTBOX_RETRY_BASE_MS * 4);
    expect(retryDelayMs(40, () => 1)).toBe(5 * 60_000);
  });

  it('the jwt provider revokes the token ids handed out for the grant', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    const alice = testUser('alice-g2', ['g']);
    await seedActiveGrant(db, 'g2', 600, clock.now());
    expect(
      (await service.apply('g2', { kind: 'issueCredential', tokenId: 'jti-a' }, alice)).ok,
    ).toBe(true);
    expect(await repo.isTokenRevoked('jti-a')).toBe(false);
    expect(await repo.isTokenRevoked('never-issued')).toBeUndefined();
    clock.advance(600_000);
    expect((await service.apply('g2', { kind: 'expire' }, { kind: 'broker' })).ok).toBe(true);
    const worker = strictWorker({ repo, clock });
    // A grant's effects run in order, one per run: the issue (its grant ended: skipped), then the revoke.
    expect(await worker.runOnce()).toEqual({ done: 1, failed: 0 });
    expect(await worker.runOnce()).toEqual({ done: 1, failed: 0 });
    expect(await repo.isTokenRevoked('jti-a')).toBe(true);
  });

  it('in one batch, completes the successes and records each failure on its own entry', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    const ids = ['b1', 'b2', 'b3', 'b4'];
    for (const id of ids) await seedActiveGrant(db, id, 600, clock.now());
    for (const id of ids)
      expect(
        (await service.apply(id, { kind: 'revoke', reason: 'r' }, testUser(`alice-${id}`, ['g'])))
          .ok,
      ).toBe(true);
    const down = new Set(['b2', 'b4']);
    const revoked: string[] = [];
    const alarms: string[] = [];
    const target: CredentialProvider = {
      kind: 'jwt',
      issue: () => Promise.resolve(),
      reissue: () => Promise.resolve(),
      revoke: (grant) => {
        if (down.has(grant.id)) return Promise.reject(new Error(`${grant.id} unreachable`));
        revoked.push(grant.id);
        return Promise.resolve();
      },
    };
    const worker = strictWorker(
      {
        repo,
        clock,
        random: () => 1,
        irrevocableAfter: 1,
        onIrrevocable: (grantId) => Promise.resolve(void alarms.push(grantId)),
      },
      target,
    );
    // The seeds' issue effects first (their grants ended: skipped), then four revocations in one
    // batch: two fail.
    expect(await worker.runOnce()).toEqual({ done: 4, failed: 0 });
    expect(await worker.runOnce()).toEqual({ done: 2, failed: 2 });
    expect(revoked.sort()).toEqual(['b1', 'b3']);
    expect(alarms.sort()).toEqual(['b2', 'b4']);
    const rows = await db
      .selectFrom('outbox')
      .select(['grant_id', 'attempts', 'last_error', 'done_at'])
      .where('action', '=', 'revoke')
      .orderBy('grant_id')
      .execute();
    expect(rows.map((r) => [r.grant_id, r.attempts, r.last_error, r.done_at !== null])).toEqual([
      ['b1', 0, null, true],
      ['b2', 1, 'b2 unreachable', false],
      ['b3', 0, null, true],
      ['b4', 1, 'b4 unreachable', false],
    ]);
  });
});
