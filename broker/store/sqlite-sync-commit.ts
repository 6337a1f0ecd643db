/**
 * Group commit for synchronous work on the one SQLite connection (the issue path's inserts and
 * updates through prepared statements). Jobs that arrive while a group runs wait for the next
 * one; a group runs in one synchronous block — BEGIN, each job in its own savepoint, COMMIT — so
 * no other code sees it half done, and it runs while holding Kysely's connection, so it never
 * overlaps a Kysely transaction (the expiry batch, the outbox, checkpoints).
 */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { groupQueue } from './group-queue.ts';
import type { BrokerDatabase } from './schema.ts';
import type { StatementCache } from './sqlite-raw.ts';

/** Runs synchronous `work` in a write transaction; resolves only after that transaction committed. */
export interface SyncTransactionRunner {
  <T>(work: () => T): Promise<T>;
  /** Resolves once every queued job has finished (before the store is closed). */
  idle(): Promise<void>;
}

interface Job {
  /** Runs the work; returns what to tell its caller once the group has committed. */
  run(): () => void;
  fail(error: unknown): void;
}

// Bounds the time one group holds the connection (reads wait behind it).
const MAX_GROUP = 100;

/** Runs `jobs` in one transaction; returns what to tell each caller after COMMIT. */
function runGroup(
  sqlite: Database.Database,
  statements: StatementCache,
  jobs: readonly Job[],
  reset: () => void,
): (() => void)[] {
  reset();
  try {
    statements.get('begin').run();
    const finish: (() => void)[] = [];
    for (const job of jobs) {
      // A lone job needs no savepoint: its failure rolls the whole transaction back.
      if (jobs.length === 1) {
        finish.push(job.run());
        continue;
      }
      statements.get('savepoint job').run();
      try {
        finish.push(job.run());
      } catch (error) {
        statements.get('rollback to job').run();
        // What the job wrote is gone: anything remembered during the group is read again.
        reset();
        finish.push(() => job.fail(error));
      }
      statements.get('release job').run();
    }
    statements.get('commit').run();
    return finish;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('rollback');
    reset();
    return jobs.map((job) => () => job.fail(error));
  }
}

/**
 * Queued synchronous jobs on `sqlite` (the connection behind `db`) run in groups, each job
 * seeing the writes of the jobs before it, each answered (or rejected with its own error) only
 * after the group's COMMIT; a failed COMMIT rejects every job of the group. `reset` is called
 * whenever state a job may remember between jobs (the audit chain head) may no longer hold.
 */
export function syncGroupCommit(
  db: Kysely<BrokerDatabase>,
  sqlite: Database.Database,
  statements: StatementCache,
  reset: () => void,
): SyncTransactionRunner {
  const queue = groupQueue<Job>(async (jobs) => {
    let finish: (() => void)[];
    try {
      // Holding Kysely's connection: no Kysely transaction is open while the group runs.
      finish = await db
        .connection()
        .execute(() => Promise.resolve(runGroup(sqlite, statements, jobs, reset)));
    } catch (error) {
      // The connection could not be had (the store is closing): the group fails.
      finish = jobs.map((job) => () => job.fail(error));
    }
    for (const done of finish) done();
  }, MAX_GROUP);
  const run = <T>(work: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      queue.push({
        run: () => {
          const value = work();
          return () => resolve(value);
        },
        fail: reject,
      }),
    );
  return Object.assign(run, { idle: queue.idle });
}
