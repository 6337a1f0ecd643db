/** The due batch of the repository: claim due grants, write the changes asked for, in one transaction. */
import type { Kysely } from 'kysely';
import type { DueWrite, GrantRepository } from './grant-repository.ts';
import { changedColumns, fromRow, toRow, type GrantColumn } from './grant-row.ts';
import { writeAlongside } from './kysely-bulk-write.ts';
import type { BrokerDatabase } from './schema.ts';
import type { StoreDialect } from './store-dialect.ts';

/** `commitDue` over `db`: one transaction per batch, bulk statements inside. */
export function kyselyCommitDue(
  db: Kysely<BrokerDatabase>,
  dialect: StoreDialect,
): GrantRepository['commitDue'] {
  return (now, limit, decide) =>
    db.transaction().execute(async (trx) => {
      const rows = await dialect.lockDue(trx, now, limit);
      const committed: DueWrite[] = [];
      for (const row of rows) {
        // The broker wrote every row it reads here; a row that does not parse fails the batch.
        const before = fromRow(row);
        const write = decide(before);
        if (write)
          committed.push({
            before,
            write,
            stored: { ...write.grant, version: before.version + 1 },
          });
      }
      // Only the columns some transition changed are written (for expiry: status, end, deadline).
      const columns = new Set<GrantColumn>();
      const rowsAfter = committed.map(({ before, stored }) => {
        const after = toRow(stored);
        for (const column of changedColumns(toRow(before), after)) columns.add(column);
        return after;
      });
      const written = await dialect.updateGrants(trx, rowsAfter, [...columns]);
      // The rows are locked by this transaction, so none can have moved since it read them.
      if (written !== committed.length)
        throw new Error(
          `due batch: ${written} of ${committed.length} grant rows written; rolled back`,
        );
      const lastEventSeq = await writeAlongside(
        trx,
        committed.map(({ write }) => write),
        dialect,
      );
      return { claimed: rows.length, committed, lastEventSeq };
    });
}
