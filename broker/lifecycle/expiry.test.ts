import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { planExpiry, MAX_SLEEP_MS } from './expiry-plan.ts';
import { expireDueGrants } from './expire-grants.ts';
import { openBrokerDatabase } from '../store/open-database.ts';
import { insertGrant } from '../store/grant-store.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { parsePolicyText } from '../policy/load-policy.ts';
import { decideRequest } from '../policy/decide.ts';
import { verifyAuditLog } from '../audit/verify.ts';
import { ManualClock, seedActiveGrant, tempDir } from '../test-support.ts';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe('planExpiry', () => {
  it('expires what is due and sleeps until the next deadline', () => {
    const plan = planExpiry(
      [
        { id: 'a', expiresAt: at(-5) },
        { id: 'b', expiresAt: at(0) },
        { id: 'c', expiresAt: at(30) },
        { id: 'd', expiresAt: at(10) },
      ],
      t0,
    );
    expect(plan).toEqual({ due: ['a', 'b'], sleepMs: 10_000 });
  });

  it('caps a long sleep and sleeps not at all when nothing is active', () => {
    expect(planExpiry([{ id: 'a', expiresAt: at(3600) }], t0)).toEqual({
      due: [],
      sleepMs: MAX_SLEEP_MS,
    });
    expect(planExpiry([], t0)).toEqual({ due: [], sleepMs: null });
  });
});

describe('expireDueGrants on SQLite with an injected clock', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
  });

  it('expires overdue grants with an audit row each, and leaves the rest', async () => {
    db = await openBrokerDatabase(join(tempDir(), 'b.sqlite'));
    const clock = new ManualClock(t0);
    await seedActiveGrant(db, 'short', 60, clock.now());
    await seedActiveGrant(db, 'long', 600, clock.now());
    expect((await expireDueGrants(db, clock.now())).due).toEqual([]);
    clock.advance(60_000);
    const plan = await expireDueGrants(db, clock.now());
    expect(plan).toEqual({
      due: ['short'],
      sleepMs: 540_000 > MAX_SLEEP_MS ? MAX_SLEEP_MS : 540_000,
    });
    const rows = await db
      .selectFrom('grants')
      .select(['id', 'status', 'ended_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'long', status: 'active', ended_at: null },
      { id: 'short', status: 'expired', ended_at: at(60).toISOString() },
    ]);
    const events = await db
      .selectFrom('audit')
      .select(['event', 'grant_id'])
      .orderBy('seq')
      .execute();
    expect(events.map((e) => `${e.event}:${e.grant_id}`)).toEqual([
      'requested:short',
      'activated:short',
      'requested:long',
      'activated:long',
      'expired:short',
    ]);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, records: 5 });
  });

  it('expires an unapproved request at its request deadline, with an audit row', async () => {
    db = await openBrokerDatabase(join(tempDir(), 'b.sqlite'));
    const parsed = parsePolicyText(
      [
        'tenant: t',
        'roles:',
        '  - name: admin',
        '    provider: { kind: jwt, audience: a }',
        '    eligible: { groups: [g] }',
        '    maxDuration: 1h',
        '    approvals: { required: 1, approverGroups: [approvers], requestTtl: 10m }',
      ].join('\n'),
      'p.yaml',
    );
    if (parsed.status !== 'success') throw new Error(parsed.message);
    const clock = new ManualClock(t0);
    const d = decideRequest(
      parsed.policy,
      { subject: 'alice', groups: ['g'] },
      { role: 'admin', durationSeconds: 900, reason: 'r' },
      clock.now(),
    );
    if (d.status !== 'grant') throw new Error('expected a plan');
    expect(d.plan).toMatchObject({ status: 'pending', expiresAt: null, requestExpiresAt: at(600) });
    await insertGrant(db, {
      id: 'p1',
      tenant: 't',
      owner: { issuer: 'https://idp', subject: 'alice' },
      plan: d.plan,
      reason: 'r',
      ticket: null,
      now: clock.now(),
    });
    clock.advance(599_000);
    expect(await expireDueGrants(db, clock.now())).toEqual({ due: [], sleepMs: 1000 });
    clock.advance(1000);
    expect((await expireDueGrants(db, clock.now())).due).toEqual(['p1']);
    const row = await db.selectFrom('grants').selectAll().where('id', '=', 'p1').executeTakeFirst();
    expect(row).toMatchObject({ status: 'expired', ended_at: at(600).toISOString() });
    const audit = await db
      .selectFrom('audit')
      .select(['event', 'details'])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.event)).toEqual(['requested', 'expired']);
    expect(JSON.parse(audit[1]!.details)).toEqual({
      deadline: at(600).toISOString(),
      was: 'pending',
    });
    expect(await verifyAuditLog(db)).toEqual({ ok: true, records: 2 });
  });
});
