/**
 * PostgreSQL: a changed grant in four round trips (BEGIN; the versioned update with the outbox
 * entries, token ids and chain lock; the chain head; audit and events; COMMIT). An update that
 * finds another version rolls the transaction back and answers `stale`.
 */
import { sql, type Kysely } from 'kysely';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { CommitOutcome, GrantWrite } from './grant-repository.ts';
import { changedColumns, GRANT_UPDATE_COLUMNS, toRow } from './grant-row.ts';
import { pgWriteAlongside, StaleGrantWrite } from './pg-bulk-write.ts';
import type { BrokerDatabase } from './schema.ts';

/** Stores `write` if the grant's stored version is still `expected`; only changed columns when `before` is known. */
export async function pgUpdateGrant(
  db: Kysely<BrokerDatabase>,
  write: GrantWrite,
  expected: number,
  before: GrantRecord | undefined,
): Promise<CommitOutcome> {
  const stored = { ...write.grant, version: expected + 1 };
  const row = toRow(stored);
  const columns = before ? changedColumns(toRow(before), row) : GRANT_UPDATE_COLUMNS;
  // Column names come from GRANT_UPDATE_COLUMNS, never input; values are parameters.
  const set = sql.join(
    [...new Set([...columns, 'version' as const])].map(
      (column) => sql`${sql.ref(column)} = ${row[column]}`,
    ),
  );
  const statement = sql`update grants set ${set}
    where id = ${row.id} and version = ${expected} returning 1`;
  try {
    const lastEventSeq = await db
      .transaction()
      .execute((trx) => pgWriteAlongside(trx, [write], { statement, rows: 1 }));
    return { status: 'committed', grant: stored, lastEventSeq };
  } catch (error) {
    if (error instanceof StaleGrantWrite) return { status: 'stale' };
    throw error;
  }
}
