/**
 * The issue path on SQLite through prepared statements instead of Kysely (bench/README.md,
 * broker-issue): the grant reads, and the insert and update transactions with everything that
 * commits with them (outbox, token ids, audit chain, events). Same statements, same checks, same
 * one transaction per transition as the Kysely implementation; the audit chain head is read
 * once per group commit and carried from job to job (one connection: nothing else appends
 * meanwhile).
 */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { GENESIS_HASH } from '../audit/audit-chain.ts';
import { chainAuditRows, type ChainHead } from '../audit/append-audit.ts';
import type { GrantOwner, GrantRecord } from '../lifecycle/grant-record.ts';
import type { CommitOutcome, GrantRepository, GrantWrite } from './grant-repository.ts';
import {
  changedColumns,
  fromRow,
  GRANT_UPDATE_COLUMNS,
  toRow,
  type GrantColumn,
} from './grant-row.ts';
import { auditEntries, eventRows, outboxRows, tokenRows } from './kysely-bulk-write.ts';
import type { BrokerDatabase, GrantRow } from './schema.ts';
import { statementCache } from './sqlite-raw.ts';
import { syncGroupCommit } from './sqlite-sync-commit.ts';

type HotPath = Pick<GrantRepository, 'findGrant' | 'findLiveForRole' | 'insert' | 'update'> & {
  idle(): Promise<void>;
};

const GRANT_COLUMNS = ['id', ...GRANT_UPDATE_COLUMNS] as const;
const INSERT_GRANT = `insert into grants (${GRANT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${GRANT_COLUMNS.map((c) => `@${c}`).join(', ')})`;
const FIND_GRANT = 'select * from grants where id = ?';
const FIND_LIVE = `select * from grants where issuer = ? and subject = ? and role = ? and status in ('active', 'pending') limit 1`;
const FIND_KEY = 'select 1 from grants where issuer = ? and subject = ? and idempotency_key = ?';
const CHAIN_HEAD = 'select seq, hash from audit order by seq desc limit 1';
const INSERT_AUDIT = `insert into audit (seq, at, event, grant_id, actor, role, details, prev_hash, hash)
  values (@seq, @at, @event, @grant_id, @actor, @role, @details, @prev_hash, @hash)`;
const INSERT_OUTBOX = `insert into outbox (grant_id, kind, action, created_at, next_attempt_at, attempts, last_error, done_at, payload)
  values (@grant_id, @kind, @action, @created_at, @next_attempt_at, @attempts, @last_error, @done_at, @payload)`;
const INSERT_TOKEN = `insert into issued_tokens (jti, grant_id, expires_at, revoked_at) values (@jti, @grant_id, @expires_at, @revoked_at)`;
const INSERT_EVENT = `insert into events (at, grant_id, change, audience, owner, "groups", "grant")
  values (@at, @grant_id, @change, @audience, @owner, @groups, @grant)`;

/** An update of `columns` (and the version) where the stored version is still the expected one. */
function updateSql(columns: readonly GrantColumn[]): string {
  const set = [...new Set<GrantColumn>([...columns, 'version'])].map((c) => `"${c}" = @${c}`);
  return `update grants set ${set.join(', ')} where id = @id and version = @expected_version`;
}

// Rows come back with the column types the migrations declare, as Kysely's do (unchecked there
// too); fromRow parses every JSON and enum column.
const asRow = (row: unknown): GrantRow | undefined => row as GrantRow | undefined;

/**
 * The hot path over `sqlite`, the connection behind `db`. Reads made while a Kysely transaction
 * is open on the connection go through `fallback`, which waits for it (never a half-done write).
 */
export function sqliteHotPath(
  db: Kysely<BrokerDatabase>,
  sqlite: Database.Database,
  fallback: GrantRepository,
): HotPath {
  const statements = statementCache(sqlite);
  let head: ChainHead | null = null;
  const transact = syncGroupCommit(db, sqlite, statements, () => {
    head = null;
  });

  const chainHead = (): ChainHead => {
    if (head) return head;
    const last = statements.get(CHAIN_HEAD).get() as { seq: number; hash: string } | undefined;
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  };

  /** Outbox entries, token ids, audit rows and events of `write`; the last event's seq. */
  const writeAlongside = (write: GrantWrite): number | null => {
    for (const row of outboxRows([write])) statements.get(INSERT_OUTBOX).run(row);
    for (const row of tokenRows([write])) statements.get(INSERT_TOKEN).run(row);
    const entries = auditEntries([write]);
    if (entries.length > 0) {
      const rows = chainAuditRows(chainHead(), entries);
      for (const row of rows) statements.get(INSERT_AUDIT).run(row);
      const last = rows[rows.length - 1];
      if (last) head = { seq: last.seq, hash: last.hash };
    }
    let lastSeq: number | null = null;
    for (const row of eventRows([write]))
      lastSeq = Number(statements.get(INSERT_EVENT).run(row).lastInsertRowid);
    return lastSeq;
  };

  const insert = (write: GrantWrite): CommitOutcome => {
    const { grant } = write;
    if (grant.idempotencyKey !== null) {
      const same = statements.get(FIND_KEY).get(grant.issuer, grant.subject, grant.idempotencyKey);
      if (same) return { status: 'duplicate_key' };
    }
    const live = asRow(statements.get(FIND_LIVE).get(grant.issuer, grant.subject, grant.role));
    if (live) return { status: 'live_exists', live: fromRow(live) };
    const stored = { ...grant, version: 1 };
    statements.get(INSERT_GRANT).run(toRow(stored));
    return { status: 'committed', grant: stored, lastEventSeq: writeAlongside(write) };
  };

  const update = (write: GrantWrite, expected: number, before?: GrantRecord): CommitOutcome => {
    const stored = { ...write.grant, version: expected + 1 };
    const row = toRow(stored);
    // Only what changed: an unchanged indexed column then costs no index write.
    const columns = before ? changedColumns(toRow(before), row) : GRANT_UPDATE_COLUMNS;
    const result = statements.get(updateSql(columns)).run({ ...row, expected_version: expected });
    if (result.changes !== 1) return { status: 'stale' };
    return { status: 'committed', grant: stored, lastEventSeq: writeAlongside(write) };
  };

  const read = <T>(now: () => T, otherwise: () => Promise<T>): Promise<T> =>
    // Outside a transaction the connection shows exactly what is committed.
    sqlite.inTransaction ? otherwise() : Promise.resolve(now());

  return {
    findGrant: (id) =>
      read(
        () => {
          const row = asRow(statements.get(FIND_GRANT).get(id));
          return row ? fromRow(row) : undefined;
        },
        () => fallback.findGrant(id),
      ),
    findLiveForRole: (owner: GrantOwner, role: string) =>
      read(
        () => {
          const row = asRow(statements.get(FIND_LIVE).get(owner.issuer, owner.subject, role));
          return row ? fromRow(row) : undefined;
        },
        () => fallback.findLiveForRole(owner, role),
      ),
    insert: (write) => transact(() => insert(write)),
    update: (write, expected, before) => transact(() => update(write, expected, before)),
    idle: () => transact.idle(),
  };
}
