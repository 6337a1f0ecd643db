import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { openBrokerDatabase } from '../store/open-database.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { systemClock } from '../ports.ts';
import { seedActiveGrant, tempDir, testLifecycle } from '../test-support.ts';
import { expireDueGrants } from './expire-grants.ts';
import { startExpiryScheduler, type ExpiryScheduler } from './expiry-scheduler.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('expiry scheduler (real SQLite, real timers)', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  let scheduler: ExpiryScheduler | undefined;
  afterEach(async () => {
    scheduler?.stop();
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

    // Another process breaks the table just before the deadline (think disk full, lock held).
    const raw = new Database(path);
    raw.exec('ALTER TABLE grants RENAME TO grants_away');
    await sleep(1500);
    expect(errors.length).toBeGreaterThan(0);
    raw.exec('ALTER TABLE grants_away RENAME TO grants');
    raw.close();

    await sleep(1500);
    const row = await db
      .selectFrom('grants')
      .select('status')
      .where('id', '=', 'g1')
      .executeTakeFirst();
    expect(row?.status).toBe('expired');
  });
});
