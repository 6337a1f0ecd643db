import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { waitFor } from '../http/live-harness.ts';
import { openBrokerDatabase } from '../store/open-database.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { systemClock } from '../ports.ts';
import { seedActiveGrant, tempDir, testLifecycle } from '../test-support.ts';
import { expireDueGrants, type ExpiryRun } from './expire-grants.ts';
import { startExpiryScheduler, type ExpiryScheduler } from './expiry-scheduler.ts';

const statusOf = async (db: Kysely<BrokerDatabase>, id: string) =>
  (await db.selectFrom('grants').select('status').where('id', '=', id).executeTakeFirst())?.status;

describe('expiry scheduler (real SQLite, real timers)', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  let scheduler: ExpiryScheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    await db?.destroy();
  });

  it('keeps expiring after a failed run: the database fails at the deadline, then recovers', async () => {
    const path = join(tempDir(), 'b.sqlite');
    db = await openBrokerDatabase(path);
    await seedActiveGrant(db, 'g1', 1, systemClock.now());
    const errors: unknown[] = [];
    const { repo, service } = testLifecycle(db, systemClock);
    scheduler = await startExpiryScheduler(
      (now) => expireDueGrants(repo, service, now),
      systemClock,
      (e) => errors.push(e),
    );

    // Another process breaks the table before the deadline (think disk full, lock held).
    const raw = new Database(path);
    raw.exec('ALTER TABLE grants RENAME TO grants_away');
    await waitFor(() => (errors.length > 0 ? true : undefined), 'a failed expiry run');
    raw.exec('ALTER TABLE grants_away RENAME TO grants');
    raw.close();

    const open = db;
    await waitFor(
      async () => ((await statusOf(open, 'g1')) === 'expired' ? true : undefined),
      'the retried run to expire g1',
    );
  });

  it('wakes for a deadline a commit notes, without running on each note', async () => {
    db = await openBrokerDatabase(join(tempDir(), 'b.sqlite'));
    const { repo, service } = testLifecycle(db, systemClock);
    const runs: ExpiryRun[] = [];
    scheduler = await startExpiryScheduler(
      async (now) => {
        const run = await expireDueGrants(repo, service, now);
        runs.push(run);
        return run;
      },
      systemClock,
      () => undefined,
    );
    // Nothing stored: the first run found nothing and sleeps with no deadline ahead.
    expect(runs).toEqual([{ due: [], sleepMs: null }]);
    await seedActiveGrant(db, 'g1', 1, systemClock.now());
    const grant = await repo.findGrant('g1');
    for (let i = 0; i < 50; i += 1) scheduler.note(grant?.expiresAt ?? null);
    scheduler.note(null);
    expect(runs).toHaveLength(1);
    const open = db;
    await waitFor(
      async () => ((await statusOf(open, 'g1')) === 'expired' ? true : undefined),
      'the noted deadline to expire g1',
    );
    expect(runs.map((run) => run.due)).toEqual([[], ['g1']]);
  });
});
