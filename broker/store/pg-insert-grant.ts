/**
 * PostgreSQL: a new grant in four round trips (BEGIN, the inserts with the chain lock, the chain
 * head, audit and events; COMMIT). The database's unique indexes refuse a second live grant of
 * the owner's role (`grants_one_live`) and a reused idempotency key (`grants_idempotency`), so
 * the transaction needs neither an owner lock nor a read first; a refusal rolls it back whole.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { GrantOwner, GrantRecord } from '../lifecycle/grant-record.ts';
import type { CommitOutcome, GrantWrite } from './grant-repository.ts';
import { toRow } from './grant-row.ts';
import { insertGrants, pgWriteAlongside } from './pg-bulk-write.ts';
import type { BrokerDatabase } from './schema.ts';

// What the driver reports for a unique violation (SQLSTATE 23505) and the index that refused it.
const uniqueViolationSchema = z.object({ code: z.literal('23505'), constraint: z.string() });

/** Inserts `write` on PostgreSQL; `findLive` reads the live grant that refused it. */
export async function pgInsertGrant(
  db: Kysely<BrokerDatabase>,
  write: GrantWrite,
  findLive: (owner: GrantOwner, role: string) => Promise<GrantRecord | undefined>,
): Promise<CommitOutcome> {
  const stored = { ...write.grant, version: 1 };
  try {
    const lastEventSeq = await db
      .transaction()
      .execute((trx) => pgWriteAlongside(trx, [write], insertGrants([toRow(stored)])));
    return { status: 'committed', grant: stored, lastEventSeq };
  } catch (error) {
    const violation = uniqueViolationSchema.safeParse(error);
    if (!violation.success) throw error;
    if (violation.data.constraint === 'grants_idempotency') return { status: 'duplicate_key' };
    if (violation.data.constraint !== 'grants_one_live') throw error;
    const live = await findLive(write.grant, write.grant.role);
    // Ended meanwhile: the caller decides again.
    return live ? { status: 'live_exists', live } : { status: 'stale' };
  }
}
