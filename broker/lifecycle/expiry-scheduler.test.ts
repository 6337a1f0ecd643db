import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { openBrokerDatabase } from '../store/open-database.ts';
import { insertGrant } from '../store/grant-store.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { parsePolicyText } from '../policy/load-policy.ts';
import { decideRequest } from '../policy/decide.ts';
import { systemClock } from '../ports.ts';
import { tempDir } from '../test-support.ts';
import { startExpiryScheduler, type ExpiryScheduler } from './expiry-scheduler.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function insertActiveGrant(db: Kysely<BrokerDatabase>, id: string, seconds: number) {
  const parsed = parsePolicyText(
    'tenant: t\nroles:\n  - name: ro\n    provider: { kind: jwt, audience: a }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n',
    'p.yaml',
  );
  if (parsed.status !== 'success') throw new Error(parsed.message);
  const now = systemClock.now();
  const d = decideRequest(
    parsed.policy,
    { subject: 'alice', groups: ['g'] },
    { role: 'ro', durationSeconds: seconds, reason: 'r' },
    now,
  );
  if (d.status !== 'grant') throw new Error('expected a grant');
  await insertGrant(db, {
    id,
    tenant: 't',
    owner: { issuer: 'https://idp', subject: 'alice' },
    plan: d.plan,
    reason: 'r',
    ticket: null,
    now,
  });
}

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
    await insertActiveGrant(db, 'g1', 1);
    const errors: unknown[] = [];
    scheduler = await startExpiryScheduler(db, systemClock, (e) => errors.push(e));

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
