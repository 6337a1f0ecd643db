/**
 * The repository port through Kysely, for SQLite and PostgreSQL alike: one transaction per
 * transition, reads outside any. What differs between the backends is in `store-dialect.ts`.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { grantChangeSchema, grantSchema } from '../../protocol/broker-api.ts';
import type { GrantOwner } from '../lifecycle/grant-record.ts';
import type { CommitOutcome, GrantRepository, StoredEvent } from './grant-repository.ts';
import { changedColumns, fromRow, GRANT_UPDATE_COLUMNS, toRow } from './grant-row.ts';
import { kyselyAuditRead, kyselyCheckpoints } from './kysely-audit-read.ts';
import { writeAlongside } from './kysely-bulk-write.ts';
import { pgInsertGrant } from './pg-insert-grant.ts';
import { pgUpdateGrant } from './pg-update-grant.ts';
import { kyselyCommitDue } from './kysely-due-batch.ts';
import { kyselyOutbox } from './kysely-outbox.ts';
import type { StoreDialect } from './store-dialect.ts';
import type { BrokerDatabase, EventRow, GrantRow } from './schema.ts';
import { CompiledQuery, type Selectable } from 'kysely';

const groupsSchema = z.array(z.string());
const LIVE = ['active', 'pending'];

function toStoredEvent(row: Selectable<EventRow>): StoredEvent {
  const groups = groupsSchema.parse(JSON.parse(row.groups));
  return {
    seq: row.seq,
    at: row.at,
    grantId: row.grant_id,
    change: grantChangeSchema.parse(row.change),
    audience: row.audience === 'owner' ? { kind: 'owner' } : { kind: 'approver', groups },
    owner: row.owner,
    grant: grantSchema.parse(JSON.parse(row.grant)),
  };
}

/** The repository port over `db` with the backend's `dialect`. */
export function kyselyGrantRepository(
  db: Kysely<BrokerDatabase>,
  dialect: StoreDialect,
): GrantRepository {
  const transact = dialect.writer(db);
  const findGrantSql = `select * from grants where id = ${dialect.backend === 'postgres' ? '$1' : '?'}`;
  const owned = (owner: GrantOwner) =>
    db
      .selectFrom('grants')
      .selectAll()
      .where('issuer', '=', owner.issuer)
      .where('subject', '=', owner.subject);

  const findLiveForRole = async (owner: GrantOwner, role: string) => {
    const row = await owned(owner)
      .where('role', '=', role)
      .where('status', 'in', LIVE)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  };

  return {
    async findGrant(id) {
      // Compiled once: the read of every command and of every credential (bench/README.md).
      const { rows } = await db.executeQuery<Selectable<GrantRow>>(
        CompiledQuery.raw(findGrantSql, [id]),
      );
      const row = rows[0];
      return row ? fromRow(row) : undefined;
    },
    async findGrants(ids) {
      const out = [];
      for (let i = 0; i < ids.length; i += 1000) {
        const slice = ids.slice(i, i + 1000);
        const rows = await db.selectFrom('grants').selectAll().where('id', 'in', slice).execute();
        out.push(...rows.map(fromRow));
      }
      return out;
    },
    async findByIdempotencyKey(owner, key) {
      const row = await owned(owner).where('idempotency_key', '=', key).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    findLiveForRole,
    async listOwned(owner, limit) {
      const rows = await owned(owner).orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map(fromRow);
    },
    async listRevokedBefore(provider, now, limit) {
      const rows = await db
        .selectFrom('grants')
        .selectAll()
        .where('provider', '=', provider)
        .where('status', '=', 'revoked')
        .where('expires_at', '>', now.toISOString())
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    async grantsAccountingForAccess() {
      const rows = await db
        .selectFrom('grants')
        .selectAll()
        .where((eb) =>
          eb.or([
            // Active grants always have a deadline: served by the partial index grants_due.
            eb.and([eb('deadline_at', 'is not', null), eb('status', '=', 'active')]),
            eb(
              'id',
              'in',
              eb
                .selectFrom('outbox')
                .select('grant_id')
                .where('kind', '=', 'provider')
                .where('done_at', 'is', null),
            ),
          ]),
        )
        .execute();
      return rows.map(fromRow);
    },
    async listAwaitingDecision(groups, limit) {
      if (groups.length === 0) return [];
      // Only live grants with something waiting; group membership is matched on the JSON array.
      const rows = await db
        .selectFrom('grants')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('status', '=', 'pending'),
            eb.and([eb('status', '=', 'active'), eb('pending_extension', 'is not', null)]),
          ]),
        )
        .where(dialect.groupsOverlap(groups))
        .orderBy('created_at', 'asc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    commitDue: kyselyCommitDue(db, dialect),
    async nextDeadline() {
      const row = await db
        .selectFrom('grants')
        .select('deadline_at')
        .where('deadline_at', 'is not', null)
        .orderBy('deadline_at', 'asc')
        .limit(1)
        .executeTakeFirst();
      return row?.deadline_at ? new Date(row.deadline_at) : null;
    },
    insert(write) {
      if (dialect.backend === 'postgres') return pgInsertGrant(db, write, findLiveForRole);
      return transact(async (trx): Promise<CommitOutcome> => {
        const { grant } = write;
        await dialect.lockOwner(trx, grant.issuer, grant.subject);
        const owner = trx
          .selectFrom('grants')
          .selectAll()
          .where('issuer', '=', grant.issuer)
          .where('subject', '=', grant.subject);
        if (grant.idempotencyKey !== null) {
          const same = await owner
            .where('idempotency_key', '=', grant.idempotencyKey)
            .executeTakeFirst();
          if (same) return { status: 'duplicate_key' };
        }
        const live = await owner
          .where('role', '=', grant.role)
          .where('status', 'in', LIVE)
          .executeTakeFirst();
        if (live) return { status: 'live_exists', live: fromRow(live) };
        const stored = { ...grant, version: 1 };
        await trx.insertInto('grants').values(toRow(stored)).execute();
        const lastEventSeq = await writeAlongside(trx, [write], dialect);
        return { status: 'committed', grant: stored, lastEventSeq };
      });
    },
    update(write, expectedVersion, before) {
      if (dialect.backend === 'postgres') return pgUpdateGrant(db, write, expectedVersion, before);
      return transact(async (trx): Promise<CommitOutcome> => {
        const stored = { ...write.grant, version: expectedVersion + 1 };
        const row = toRow(stored);
        // Only what changed (and the version): unchanged indexed columns cost no index write.
        const columns = before ? changedColumns(toRow(before), row) : GRANT_UPDATE_COLUMNS;
        const values = Object.fromEntries(
          [...columns, 'version' as const].map((column) => [column, row[column]]),
        );
        const result = await trx
          .updateTable('grants')
          .set(values)
          .where('id', '=', stored.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return { status: 'stale' };
        const lastEventSeq = await writeAlongside(trx, [write], dialect);
        return { status: 'committed', grant: stored, lastEventSeq };
      });
    },
    async eventsAfter(seq, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('seq', '>', seq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
      return rows.map(toStoredEvent);
    },
    async lastEventSeq() {
      const row = await db
        .selectFrom('events')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.seq ?? 0;
    },
    ...kyselyOutbox(db, dialect),
    ...kyselyAuditRead(db),
    ...kyselyCheckpoints(db, dialect),
    async close() {
      // Writes queued for a group commit finish first (a worker's last completion, say).
      await transact.idle();
      await db.destroy();
    },
  };
}
