/**
 * Group commit on SQLite: concurrent write transactions share one COMMIT, each in its own
 * savepoint. Observed from a second connection to the same file, as another process would.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../audit/verify.ts';
import { ManualClock, tempDir, testLifecycle, testUser } from '../test-support.ts';
import { groupCommit } from './group-commit.ts';
import { openBrokerDatabase } from './open-database.ts';
import type { BrokerDatabase } from './schema.ts';

const addEffect = (grantId: string) => async (trx: Transaction<BrokerDatabase>) => {
  await trx
    .insertInto('outbox')
    .values({
      grant_id: grantId,
      kind: 'provider',
      action: 'issue',
      created_at: 'x',
      next_attempt_at: 'x',
      attempts: 0,
      last_error: null,
      done_at: null,
    })
    .execute();
  return grantId;
};

describe('group commit (SQLite)', () => {
  let db: Kysely<BrokerDatabase> | undefined;
  let other: Database.Database | undefined;
  afterEach(async () => {
    other?.close();
    await db?.destroy();
  });

  it('commits concurrent jobs together; a failing job undoes only its own writes', async () => {
    const path = join(tempDir(), 'b.sqlite');
    db = await openBrokerDatabase(path);
    other = new Database(path, { readonly: true });
    const seen = other.prepare('select grant_id from outbox order by seq');
    const transact = groupCommit(db);
    let visibleWhenFirstResolved: unknown[] = [];
    const first = transact(addEffect('a')).then((value) => {
      visibleWhenFirstResolved = seen.all();
      return value;
    });
    const failing = transact(async (trx) => {
      await addEffect('b')(trx);
      throw new Error('job b failed');
    });
    const third = transact(addEffect('c'));
    await expect(first).resolves.toBe('a');
    await expect(failing).rejects.toThrow('job b failed');
    await expect(third).resolves.toBe('c');
    // Queued together, committed once: when the first job's caller hears back, the third job's
    // row is already durable for another connection.
    expect(visibleWhenFirstResolved).toEqual([{ grant_id: 'a' }, { grant_id: 'c' }]);
    expect(seen.all()).toEqual([{ grant_id: 'a' }, { grant_id: 'c' }]);
  });

  it('keeps the audit chain whole across concurrent requests committed in groups', async () => {
    db = await openBrokerDatabase(join(tempDir(), 'b.sqlite'));
    const { service } = testLifecycle(db, new ManualClock(new Date('2030-01-01T00:00:00Z')));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        service.create(
          (live) => ({
            kind: 'request',
            id: `g${i}`,
            tenant: 't',
            body: { role: 'ro', durationSeconds: 60, reason: 'r' },
            idempotencyKey: null,
            live,
          }),
          // Every third request is a second one of the same user: refused as already active.
          testUser(`u${i - (i % 3 === 2 ? 1 : 0)}`, ['g']),
        ),
      ),
    );
    expect(results.filter((r) => r.ok === true)).toHaveLength(40);
    expect(results.filter((r) => r.ok === false)).toHaveLength(20);
    const grants = await db.selectFrom('grants').select('id').execute();
    expect(grants).toHaveLength(40);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, records: 80 });
  });

  it('is idle only once queued writes have committed (the repository waits for it on close)', async () => {
    const path = join(tempDir(), 'b.sqlite');
    db = await openBrokerDatabase(path);
    other = new Database(path, { readonly: true });
    const transact = groupCommit(db);
    const job = transact(addEffect('x'));
    await transact.idle();
    expect(other.prepare('select grant_id from outbox').all()).toEqual([{ grant_id: 'x' }]);
    await expect(job).resolves.toBe('x');
  });
});
