/**
 * Group commit for the one SQLite connection: write transactions that arrive while one is running
 * are queued, then run together in one transaction, each inside its own savepoint, and committed
 * once. A commit writes the WAL (and now and then checkpoints it); under many concurrent requests
 * that per-transaction cost was the largest single item of the issue path (bench/README.md).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { groupQueue } from './group-queue.ts';
import type { BrokerDatabase } from './schema.ts';

/** Runs `work` in a write transaction; resolves only after that transaction committed. */
export interface TransactionRunner {
  <T>(work: (trx: Transaction<BrokerDatabase>) => Promise<T>): Promise<T>;
  /** Resolves once every queued transaction has finished (before the store is closed). */
  idle(): Promise<void>;
}

interface Job {
  /** Runs the work; returns what to tell its caller once the group has committed. */
  run(trx: Transaction<BrokerDatabase>): Promise<() => void>;
  /** Tells the caller the group failed. */
  fail(error: unknown): void;
}

// Bounds the time one group holds the connection (reads wait behind it).
const MAX_GROUP = 100;

/** One transaction per call (PostgreSQL: the server commits concurrent transactions itself). */
export function eachInOwnTransaction(db: Kysely<BrokerDatabase>): TransactionRunner {
  return Object.assign(
    <T>(work: (trx: Transaction<BrokerDatabase>) => Promise<T>) => db.transaction().execute(work),
    { idle: () => Promise.resolve() },
  );
}

/** Runs one job in its own savepoint: its failure undoes only its own writes. */
async function inSavepoint(trx: Transaction<BrokerDatabase>, job: Job): Promise<() => void> {
  await sql`savepoint job`.execute(trx);
  try {
    const done = await job.run(trx);
    await sql`release job`.execute(trx);
    return done;
  } catch (error) {
    await sql`rollback to job`.execute(trx);
    await sql`release job`.execute(trx);
    return () => job.fail(error);
  }
}

/** Runs `jobs` in one transaction and tells each caller once it committed (or failed). */
async function runGroup(db: Kysely<BrokerDatabase>, jobs: readonly Job[]): Promise<void> {
  let finish: (() => void)[];
  try {
    finish = await db.transaction().execute(async (trx) => {
      // A lone job needs no savepoint: its failure rolls the whole transaction back.
      if (jobs.length === 1 && jobs[0]) return [await jobs[0].run(trx)];
      const out: (() => void)[] = [];
      for (const job of jobs) out.push(await inSavepoint(trx, job));
      return out;
    });
  } catch (error) {
    for (const job of jobs) job.fail(error);
    return;
  }
  for (const done of finish) done();
}

/**
 * Queued transactions on `db` run in groups. Each job sees the writes of the jobs before it in its
 * group, exactly as if they had committed one after another; each resolves (or rejects with its
 * own error) only after the group's COMMIT, and a failed COMMIT rejects every job of the group.
 */
export function groupCommit(db: Kysely<BrokerDatabase>): TransactionRunner {
  const queue = groupQueue<Job>((jobs) => runGroup(db, jobs), MAX_GROUP);
  const run = <T>(work: (trx: Transaction<BrokerDatabase>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      queue.push({
        run: async (trx) => {
          const value = await work(trx);
          return () => resolve(value);
        },
        fail: reject,
      }),
    );
  return Object.assign(run, { idle: queue.idle });
}
