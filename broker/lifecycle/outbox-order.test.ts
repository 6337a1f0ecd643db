/**
 * Issue 18, finding 0 (high): a crash left login roles at the target that outlived their grants.
 * The mechanisms under test, on the backend under test (SQLite, or PostgreSQL with
 * HOURGLASS_TEST_STORE=postgres), with an injected clock and a target that remembers what exists:
 * - a grant's provider effects are carried out in order, one at a time (only the head is claimed);
 * - an issuing effect re-checks, when it acts, that its grant is still live, else does nothing;
 * - so a revoke that found nothing is never followed by a create of the same grant.
 */
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../audit/verify.ts';
import type { CredentialProvider } from '../credentials/provider.ts';
import { providerRegistry } from '../credentials/provider.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import {
  ManualClock,
  TEST_BACKEND,
  openTestDatabase,
  seedActiveGrant,
  testLifecycle,
  testUser,
} from '../test-support.ts';
import { waitFor } from '../http/live-harness.ts';
import { CLAIM_LEASE_MS, CLAIM_RENEW_MS } from '../store/store-dialect.ts';
import { createOutboxWorker } from './outbox-worker.ts';

const t0 = new Date('2030-01-01T00:00:00Z');

/**
 * A target that keeps the "roles" that exist. An issue takes a few turns of the event loop (a
 * round trip), a revoke one: run side by side, the revoke finishes first. It records each call,
 * and any overlap of two calls for one grant.
 */
function rememberingTarget() {
  const roles = new Set<string>();
  const calls: string[] = [];
  const overlaps: string[] = [];
  const busy = new Set<string>();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const enter = (id: string, what: string) => {
    if (busy.has(id)) overlaps.push(`${what} ${id}`);
    busy.add(id);
    calls.push(`${what} ${id}`);
  };
  const target: CredentialProvider = {
    kind: 'jwt',
    issue: async (grant) => {
      enter(grant.id, 'issue');
      for (let i = 0; i < 3; i += 1) await turn();
      roles.add(grant.id);
      busy.delete(grant.id);
    },
    reissue: async (grant) => {
      enter(grant.id, 'reissue');
      await turn();
      busy.delete(grant.id);
    },
    revoke: async (grant) => {
      enter(grant.id, 'revoke');
      await turn();
      roles.delete(grant.id);
      busy.delete(grant.id);
    },
  };
  return { target, roles, calls, overlaps };
}

/** Runs the worker until a run does nothing. */
async function drain(worker: ReturnType<typeof createOutboxWorker>): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    const { done, failed } = await worker.runOnce();
    if (done === 0 && failed === 0) return;
  }
  throw new Error('the outbox did not drain in 20 runs');
}

describe(`outbox order and liveness, threat: orphan login role after a crash (${TEST_BACKEND})`, () => {
  let db: Kysely<BrokerDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('claims only the oldest unfinished effect of a grant: the revoke waits for the issue', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'g1', 600, clock.now());
    await seedActiveGrant(db, 'g2', 600, clock.now());
    const revoked = await service.apply(
      'g1',
      { kind: 'revoke', reason: 'done' },
      testUser('alice-g1', ['g']),
    );
    expect(revoked.ok).toBe(true);

    // g1 has an issue and a revoke pending, g2 an issue: one claim takes each grant's head only.
    const first = await repo.dueEffects(clock.now(), 500);
    expect(
      first
        .map((e) => `${e.effect.kind === 'provider' ? e.effect.action : ''} ${e.effect.grantId}`)
        .sort(),
    ).toEqual(['issue g1', 'issue g2']);
    // While the issue is claimed and unfinished, the revoke stays unclaimable — also once the
    // claim's lease (PostgreSQL) has lapsed: then the issue is claimable again, never the revoke.
    clock.advance(60_000);
    const again = await repo.dueEffects(clock.now(), 500);
    expect(again.every((e) => e.effect.kind === 'provider' && e.effect.action === 'issue')).toBe(
      true,
    );
    await repo.completeEffects(
      first.filter((e) => e.effect.grantId === 'g1').map((e) => e.seq),
      clock.now(),
    );
    clock.advance(60_000);
    const next = await repo.dueEffects(clock.now(), 500);
    expect(
      next
        .map((e) => `${e.effect.kind === 'provider' ? e.effect.action : ''} ${e.effect.grantId}`)
        .sort(),
    ).toEqual(['issue g2', 'revoke g1']);
  });

  it('never runs two effects of one grant at once, and runs them in order', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    const ids = Array.from({ length: 10 }, (_, i) => `g${i}`);
    for (const id of ids) await seedActiveGrant(db, id, 600, clock.now());
    for (const id of ids)
      expect(
        (await service.apply(id, { kind: 'revoke', reason: 'x' }, testUser(`alice-${id}`, ['g'])))
          .ok,
      ).toBe(true);
    const { target, roles, calls, overlaps } = rememberingTarget();
    const worker = createOutboxWorker({
      repo,
      providers: providerRegistry(target),
      clock,
      onError: (e) => {
        throw e;
      },
    });
    await drain(worker);
    expect(overlaps).toEqual([]);
    // Revoked before the issue ran: the issue finds its grant ended and does nothing.
    expect(calls.filter((c) => c.startsWith('issue'))).toEqual([]);
    for (const id of ids)
      expect(calls.filter((c) => c.endsWith(` ${id}`))).toEqual([`revoke ${id}`]);
    expect([...roles]).toEqual([]);
  });

  it('a create whose claim outlived a crash does nothing once its grant has expired and been revoked', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'g1', 20, clock.now());
    // The broker claimed the issue, then was killed before it acted (nothing reached the target).
    const claimed = await repo.dueEffects(clock.now(), 500);
    expect(claimed).toHaveLength(1);
    // It is down past the deadline; the restarted broker expires the grant (a revoke is queued).
    clock.advance(25_000);
    const expired = await service.expireDue(clock.now(), 100);
    expect(expired.expired).toHaveLength(1);
    // Past any lease: whatever is due runs now, the restarted worker's first runs.
    clock.advance(60_000);
    const { target, roles, calls, overlaps } = rememberingTarget();
    const worker = createOutboxWorker({
      repo,
      providers: providerRegistry(target),
      clock,
      onError: (e) => {
        throw e;
      },
    });
    await drain(worker);
    expect(overlaps).toEqual([]);
    expect(calls).toEqual(['revoke g1']);
    expect([...roles]).toEqual([]);
    expect(await repo.outboxStats()).toEqual({ pending: 0, failing: 0, lastError: null });
    const skipped = await db
      .selectFrom('audit')
      .selectAll()
      .where('event', '=', 'effect_skipped')
      .execute();
    expect(skipped).toHaveLength(1);
    expect(JSON.parse(skipped[0]?.details ?? '{}')).toMatchObject({
      action: 'issue',
      status: 'expired',
    });
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('a revoke that finds nothing stays ahead of nothing: an issue retried after it never creates', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'g1', 600, clock.now());
    // The first issue attempt fails (target briefly down): it is retried after a backoff.
    let down = true;
    const { target, roles, calls } = rememberingTarget();
    const flaky: CredentialProvider = {
      ...target,
      issue: async (grant, now) => {
        if (down) throw new Error('target unreachable');
        await target.issue(grant, now);
      },
    };
    const worker = createOutboxWorker({
      repo,
      providers: providerRegistry(flaky),
      clock,
      random: () => 1,
      onError: (e) => {
        throw e;
      },
    });
    expect(await worker.runOnce()).toEqual({ done: 0, failed: 1 });
    // Revoked during the backoff: the revoke is due at once, the issue's retry later.
    expect(
      (await service.apply('g1', { kind: 'revoke', reason: 'x' }, testUser('alice-g1', ['g']))).ok,
    ).toBe(true);
    down = false;
    await worker.runOnce();
    // The target is back and every retry comes due.
    clock.advance(10 * 60_000);
    await drain(worker);
    expect(calls).toEqual(['revoke g1']);
    expect([...roles]).toEqual([]);
    expect(await repo.outboxStats()).toEqual({ pending: 0, failing: 0, lastError: null });
  });

  it('renews the short claim of an effect still being carried out: no second worker takes it meanwhile', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'slow', 600, clock.now());
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let issuing = false;
    const slowTarget: CredentialProvider = {
      kind: 'jwt',
      issue: async () => {
        issuing = true;
        await released;
      },
      reissue: () => Promise.resolve(),
      revoke: () => Promise.resolve(),
    };
    const worker = createOutboxWorker({
      repo,
      providers: providerRegistry(slowTarget),
      clock,
      onError: (e) => {
        throw e;
      },
    });
    const run = worker.runOnce();
    await waitFor(() => (issuing ? true : undefined), 'the issue to start');
    // Past the lease the claim was taken with: only a renewal keeps it from another worker.
    clock.advance(CLAIM_LEASE_MS + 1000);
    const leaseOf = async () =>
      (
        await db
          ?.selectFrom('outbox')
          .select('next_attempt_at')
          .where('grant_id', '=', 'slow')
          .executeTakeFirst()
      )?.next_attempt_at ?? '';
    await waitFor(
      async () => (Date.parse(await leaseOf()) > clock.now().getTime() ? true : undefined),
      'the running worker to renew its claim',
      CLAIM_RENEW_MS * 3,
    );
    expect(await repo.dueEffects(clock.now(), 500)).toEqual([]);
    release();
    expect(await run).toEqual({ done: 1, failed: 0 });
  });
});
