/**
 * Expiry in batches (`GrantService.expireDue` over the repository's `commitDue`): due grants are
 * claimed earliest first, up to the batch size, and each batch commits grant rows, audit records
 * (one chain append), outbox revocations and events together. On the store under test
 * (HOURGLASS_TEST_STORE=postgres runs it on PostgreSQL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { verifyAuditLog } from '../audit/verify.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import {
  ManualClock,
  openTestDatabase,
  seedRequest,
  testLifecycle,
  testPolicy,
  testUser,
} from '../test-support.ts';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

// `ro` activates at once; `ext` too, but its extensions wait for an approver for at most 2 min.
const POLICY = [
  'tenant: t',
  'roles:',
  '  - name: ro',
  '    provider: { kind: jwt, audience: a }',
  '    eligible: { groups: [g] }',
  '    maxDuration: 1h',
  '  - name: ext',
  '    provider: { kind: jwt, audience: a }',
  '    eligible: { groups: [g] }',
  '    maxDuration: 1h',
  '    approval: { required: 0, from: [approvers], requestTtl: 2m }',
  '    extension: { requireApproval: true }',
].join('\n');

describe('expiry in batches, one transaction each', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
  });

  it('claims the earliest due grants up to the batch size and commits each with its records', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { service } = testLifecycle(db, clock, testPolicy(POLICY));
    for (const [id, seconds] of [
      ['a', 60],
      ['b', 90],
      ['c', 300],
    ] as const)
      await seedRequest(service, testUser(`u-${id}`, ['g']), { id, role: 'ro', seconds });
    const owner = testUser('u-e', ['g']);
    await seedRequest(service, owner, { id: 'e', role: 'ext', seconds: 600 });
    clock.advance(30_000);
    expect(
      await service.apply('e', { kind: 'extend', durationSeconds: 3000 }, owner),
    ).toMatchObject({ ok: true });
    clock.advance(130_000); // t = 160 s: a (60), b (90) and e's extension (lapse at 150) are due.

    const first = await service.expireDue(clock.now(), 2);
    expect(first.claimed).toBe(2);
    expect(first.expired.map((g) => g.id)).toEqual(['a', 'b']);
    const second = await service.expireDue(clock.now(), 2);
    expect(second.expired.map((g) => [g.id, g.status])).toEqual([['e', 'active']]);
    expect(await service.expireDue(clock.now(), 2)).toMatchObject({ claimed: 0, expired: [] });

    const rows = await db
      .selectFrom('grants')
      .select(['id', 'status', 'ended_at', 'deadline_at', 'pending_extension', 'version'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      {
        id: 'a',
        status: 'expired',
        ended_at: at(60),
        deadline_at: null,
        pending_extension: null,
        version: 2,
      },
      {
        id: 'b',
        status: 'expired',
        ended_at: at(90),
        deadline_at: null,
        pending_extension: null,
        version: 2,
      },
      {
        id: 'c',
        status: 'active',
        ended_at: null,
        deadline_at: at(300),
        pending_extension: null,
        version: 1,
      },
      // The lapsed extension is dropped; the grant runs on to its own deadline.
      {
        id: 'e',
        status: 'active',
        ended_at: null,
        deadline_at: at(600),
        pending_extension: null,
        version: 3,
      },
    ]);
    const audit = await db
      .selectFrom('audit')
      .select(['event', 'grant_id'])
      .where('event', 'in', ['expired', 'extension_lapsed'])
      .orderBy('seq')
      .execute();
    expect(audit.map((r) => `${r.event}:${r.grant_id}`)).toEqual([
      'expired:a',
      'expired:b',
      'extension_lapsed:e',
    ]);
    const revokes = await db
      .selectFrom('outbox')
      .select('grant_id')
      .where('action', '=', 'revoke')
      .orderBy('seq')
      .execute();
    expect(revokes.map((r) => r.grant_id)).toEqual(['a', 'b']);
    const events = await db
      .selectFrom('events')
      .select(['grant_id', 'change', 'audience', 'grant'])
      .where('change', 'in', ['expired', 'extension_denied'])
      .orderBy('seq')
      .execute();
    expect(events.map((e) => `${e.change}:${e.grant_id}:${e.audience}`)).toEqual([
      'expired:a:owner',
      'expired:a:approver',
      'expired:b:owner',
      'expired:b:approver',
      'extension_denied:e:owner',
      'extension_denied:e:approver',
    ]);
    // Each event carries its own grant's view, as the owner sees it at commit.
    expect(JSON.parse(events[2]?.grant ?? '{}')).toMatchObject({ id: 'b', status: 'expired' });
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('ends a grant once when a user revokes it while the broker expires it', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { service } = testLifecycle(db, clock);
    const users = Array.from({ length: 40 }, (_, i) => testUser(`u${i}`, ['g']));
    for (const [i, user] of users.entries())
      await seedRequest(service, user, { id: `g${i}`, role: 'ro', seconds: 60 });
    // A millisecond before the deadline: ten owners have revoked; the rest revoke while the
    // broker expires what is due (on PostgreSQL their updates wait on the batch's row locks).
    clock.advance(59_999);
    const revoke = (i: number) =>
      service.apply(`g${i}`, { kind: 'revoke', reason: null }, users[i] ?? testUser('x', []));
    for (let i = 0; i < 10; i += 1) expect(await revoke(i)).toMatchObject({ ok: true });
    const outcomes = await Promise.all([
      service.expireDue(new Date(t0.getTime() + 60_000), 500),
      ...users.slice(10).map((_, i) => revoke(i + 10)),
    ]);
    const ends = await db
      .selectFrom('audit')
      .select(['grant_id', 'event'])
      .where('event', 'in', ['expired', 'revoked'])
      .execute();
    expect(ends).toHaveLength(users.length);
    expect(new Set(ends.map((e) => e.grant_id)).size).toBe(users.length);
    const revoked = 10 + outcomes.slice(1).filter((o) => 'ok' in o && o.ok).length;
    expect(ends.filter((e) => e.event === 'revoked')).toHaveLength(revoked);
    expect(outcomes[0]).toMatchObject({ claimed: users.length - revoked });
    const grants = await db.selectFrom('grants').select(['status', 'deadline_at']).execute();
    expect(grants.every((g) => g.status !== 'active' && g.deadline_at === null)).toBe(true);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });
});
