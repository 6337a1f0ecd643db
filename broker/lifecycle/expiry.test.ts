import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { expireDueGrants, MAX_SLEEP_MS } from './expire-grants.ts';
import { openBrokerDatabase } from '../store/open-database.ts';
import { dueGrants } from '../store/store-dialect.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { verifyAuditLog } from '../audit/verify.ts';
import {
  ManualClock,
  seedActiveGrant,
  seedRequest,
  openTestDatabase,
  tempDir,
  testLifecycle,
  testPolicy,
  testUser,
} from '../test-support.ts';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe('expireDueGrants on SQLite with an injected clock', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
  });

  it('expires overdue grants with an audit row each, and leaves the rest', async () => {
    db = await openTestDatabase();
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock);
    await seedActiveGrant(db, 'short', 60, clock.now());
    await seedActiveGrant(db, 'long', 600, clock.now());
    expect(await expireDueGrants(repo, service, clock.now())).toEqual({
      due: [],
      sleepMs: 60_000,
    });
    clock.advance(60_000);
    const run = await expireDueGrants(repo, service, clock.now());
    expect(run).toEqual({ due: ['short'], sleepMs: MAX_SLEEP_MS });
    const rows = await db
      .selectFrom('grants')
      .select(['id', 'status', 'ended_at', 'deadline_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'long', status: 'active', ended_at: null, deadline_at: at(600).toISOString() },
      { id: 'short', status: 'expired', ended_at: at(60).toISOString(), deadline_at: null },
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
    // The expiry queued the revocation at the provider, committed with it.
    const outbox = await db.selectFrom('outbox').select(['grant_id', 'action']).execute();
    expect(outbox).toEqual([
      { grant_id: 'short', action: 'issue' },
      { grant_id: 'long', action: 'issue' },
      { grant_id: 'short', action: 'revoke' },
    ]);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, records: 5 });
  });

  it('expires an unapproved request at its request deadline, with an audit row', async () => {
    db = await openTestDatabase();
    const policy = testPolicy(
      [
        'tenant: t',
        'roles:',
        '  - name: admin',
        '    provider: { kind: jwt, audience: a }',
        '    eligible: { groups: [g] }',
        '    maxDuration: 1h',
        '    approval: { required: 1, from: [approvers], requestTtl: 10m }',
      ].join('\n'),
    );
    const clock = new ManualClock(t0);
    const { repo, service } = testLifecycle(db, clock, policy);
    await seedRequest(service, testUser('alice', ['g']), { id: 'p1', role: 'admin', seconds: 900 });
    expect(await repo.findGrant('p1')).toMatchObject({
      status: 'pending',
      expiresAt: null,
      requestExpiresAt: at(600).toISOString(),
    });
    clock.advance(599_000);
    expect(await expireDueGrants(repo, service, clock.now())).toEqual({ due: [], sleepMs: 1000 });
    clock.advance(1000);
    expect((await expireDueGrants(repo, service, clock.now())).due).toEqual(['p1']);
    const row = await db.selectFrom('grants').selectAll().where('id', '=', 'p1').executeTakeFirst();
    expect(row).toMatchObject({ status: 'expired', ended_at: at(600).toISOString() });
    const audit = await db
      .selectFrom('audit')
      .select(['event', 'details'])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.event)).toEqual(['requested', 'expired']);
    expect(JSON.parse(audit[1]?.details ?? '')).toEqual({
      deadline: at(600).toISOString(),
      was: 'pending',
    });
    expect(await verifyAuditLog(db)).toEqual({ ok: true, records: 2 });
  });

  it('finds due grants through the deadline index, not a scan of every row', async () => {
    const path = join(tempDir(), 'b.sqlite');
    db = await openBrokerDatabase(path);
    // The same query the expiry batch claims due grants with, planned by SQLite.
    const compiled = dueGrants(t0, 100).compile(db);
    const raw = new Database(path, { readonly: true });
    const plan = raw.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.parameters) as {
      detail: string;
    }[];
    raw.close();
    const details = plan.map((row) => row.detail).join('\n');
    expect(details).toMatch(/SEARCH grants USING (COVERING )?INDEX grants_due/);
    expect(details).not.toMatch(/SCAN grants/);
  });
});
