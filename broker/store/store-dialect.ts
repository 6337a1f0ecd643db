/**
 * What differs between the two storage backends. Everything else in the repository is one
 * Kysely implementation; these few places are where SQLite (one process, one connection) and
 * PostgreSQL (several replicas, concurrent transactions) must act differently.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { GRANT_UPDATE_COLUMNS, type GrantColumn } from './grant-row.ts';
import { eachInOwnTransaction, groupCommit, type TransactionRunner } from './group-commit.ts';
import type { BrokerDatabase, GrantRow, OutboxRow } from './schema.ts';

/** The backend behind a repository. */
export type StoreBackend = 'sqlite' | 'postgres';

/** The channel committed event sequence numbers are announced on (PostgreSQL). */
export const EVENTS_CHANNEL = 'hourglass_events';
/** How long a replica's claim on an outbox entry holds before another may take it. */
export const CLAIM_LEASE_MS = 6_000;

/** How often a worker renews the leases of the entries it is still carrying out. */
export const CLAIM_RENEW_MS = CLAIM_LEASE_MS / 3;

/** Backend-specific SQL. */
export interface StoreDialect {
  backend: StoreBackend;
  /** How the repository runs the write transaction of each transition on `db`. */
  writer(db: Kysely<BrokerDatabase>): TransactionRunner;
  /** True when the grant's JSON `approver_groups` shares a group with `groups` (non-empty). */
  groupsOverlap(groups: readonly string[]): RawBuilder<boolean>;
  /**
   * Called in a write transaction before it appends audit records or events: serialises the
   * audit chain (and event order) across concurrent transactions until commit.
   */
  lockChain(trx: Transaction<BrokerDatabase>): Promise<void>;
  /**
   * Called first in an insert transaction: serialises inserts of one owner, so two concurrent
   * requests cannot both pass the "one live grant per role" and idempotency-key checks.
   */
  lockOwner(trx: Transaction<BrokerDatabase>, issuer: string, subject: string): Promise<void>;
  /** Called in the transaction after events were written: tells other replicas (PostgreSQL). */
  announceEvents(trx: Transaction<BrokerDatabase>, lastSeq: number): Promise<void>;
  /** Due outbox entries this process should carry out, oldest first, claimed in one statement. */
  claimEffects(
    db: Kysely<BrokerDatabase>,
    now: Date,
    limit: number,
  ): Promise<Selectable<OutboxRow>[]>;
  /**
   * In `trx`: up to `limit` grants due at `now`, earliest deadline first, locked until commit
   * (PostgreSQL: rows another transaction holds are skipped, so replicas split the work).
   */
  lockDue(
    trx: Transaction<BrokerDatabase>,
    now: Date,
    limit: number,
  ): Promise<Selectable<GrantRow>[]>;
  /**
   * In `trx`: writes `columns` of every row (and its version) in one statement, where the stored
   * version is one below the row's (optimistic concurrency, as a single update does); returns
   * how many rows were written.
   */
  updateGrants(
    trx: Transaction<BrokerDatabase>,
    rows: readonly GrantRow[],
    columns: readonly GrantColumn[],
  ): Promise<number>;
}

/**
 * Outbox entries (alias `o`) due at `at` that are the head of their grant: a provider effect is
 * claimable only while no earlier provider effect of the same grant is unfinished (pending, failing
 * or claimed by a run in flight), so a grant's issue, reissue and revoke are carried out in order,
 * one at a time, by one worker — a revoke never runs beside, or before, its grant's issue.
 * Webhook deliveries keep their own times (an `expiring` entry must not hold anything up).
 */
export const dueHeads = (at: string) => sql`o.next_attempt_at <= ${at} and ${pendingHeads}`;

/** Unfinished outbox entries (alias `o`) that are the head of their grant (see dueHeads). */
export const pendingHeads = sql`o.done_at is null
  and (o.kind <> 'provider' or not exists (
    select 1 from outbox e
    where e.grant_id = o.grant_id and e.kind = 'provider' and e.done_at is null and e.seq < o.seq))`;

/** Due grants, earliest deadline first: served by the partial index `grants_due`, never a scan. */
export const dueGrants = (now: Date, limit: number) => sql`
  select * from grants where deadline_at is not null and deadline_at <= ${now.toISOString()}
  order by deadline_at limit ${limit}`;

/**
 * `"col" = <col of the row source>` for `columns` and the version, and the rows as one JSON
 * parameter holding only those fields. Column names come from GRANT_UPDATE_COLUMNS, never input.
 */
function bulkUpdate(
  rows: readonly GrantRow[],
  columns: readonly GrantColumn[],
  valueOf: (column: GrantColumn) => RawBuilder<unknown>,
) {
  const written = [...new Set<GrantColumn>([...columns, 'version'])].filter((column) =>
    GRANT_UPDATE_COLUMNS.includes(column),
  );
  const json = JSON.stringify(
    rows.map((row) => {
      const fields: Record<string, unknown> = { id: row.id };
      for (const column of written) fields[column] = row[column];
      return fields;
    }),
  );
  return {
    assignments: sql.join(written.map((column) => sql`${sql.ref(column)} = ${valueOf(column)}`)),
    json,
  };
}

/** SQLite: one connection serialises every transaction, so nothing needs a lock or a claim. */
export const sqliteDialect: StoreDialect = {
  backend: 'sqlite',
  // Concurrent transitions share one commit (the one connection would run them in turn anyway).
  writer: groupCommit,
  groupsOverlap: (groups) =>
    sql<boolean>`exists (select 1 from json_each(grants.approver_groups) g where g.value in (${sql.join(groups)}))`,
  lockChain: () => Promise.resolve(),
  lockOwner: () => Promise.resolve(),
  announceEvents: () => Promise.resolve(),
  async claimEffects(db, now, limit) {
    // One worker per store, and its runs never overlap: the head rule alone keeps a grant's order.
    const result = await sql<Selectable<OutboxRow>>`
      select * from outbox o where ${dueHeads(now.toISOString())}
      order by o.next_attempt_at, o.seq limit ${limit}`.execute(db);
    return result.rows;
  },
  async lockDue(trx, now, limit) {
    // The one connection is held by this transaction: nothing else can write meanwhile.
    return (await sql<Selectable<GrantRow>>`${dueGrants(now, limit)}`.execute(trx)).rows;
  },
  async updateGrants(trx, rows, columns) {
    if (rows.length === 0) return 0;
    const { assignments, json } = bulkUpdate(
      rows,
      columns,
      (column) => sql`j.value ->> ${sql.lit(`$.${column}`)}`,
    );
    const result = await sql`
      update grants set ${assignments}
      from json_each(${json}) as j
      where grants.id = j.value ->> '$.id' and grants.version = (j.value ->> '$.version') - 1`.execute(
      trx,
    );
    return Number(result.numAffectedRows ?? 0);
  },
};

// One advisory lock key for the audit chain of a database (any fixed 64-bit number).
/** The advisory lock key of the audit chain (PostgreSQL). */
export const CHAIN_LOCK = 7_202_611_031;

/**
 * PostgreSQL: the chain head is taken under a transaction-scoped advisory lock (no
 * read-max-then-insert race between replicas); due grants are locked with `FOR UPDATE SKIP
 * LOCKED` for the transaction that expires them, and outbox entries claimed the same way with a
 * lease, so each is handled by one replica; events are announced with `pg_notify`, delivered to
 * every listening replica when the transaction commits.
 */
export const postgresDialect: StoreDialect = {
  backend: 'postgres',
  writer: eachInOwnTransaction,
  groupsOverlap: (groups) =>
    sql<boolean>`(grants.approver_groups::jsonb ?| ${sql.val([...groups])}::text[])`,
  async lockChain(trx) {
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  },
  async lockOwner(trx, issuer, subject) {
    // Two-key form: class 1 for owners (the chain lock is a one-key lock, a separate space).
    await sql`select pg_advisory_xact_lock(1, hashtext(${`${issuer}#${subject}`}))`.execute(trx);
  },
  async announceEvents(trx, lastSeq) {
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${String(lastSeq)})`.execute(trx);
  },
  async claimEffects(db, now, limit) {
    const at = now.toISOString();
    const until = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
    // Moving the attempt time ahead is the lease: a replica that dies mid-effect leaves it due again.
    // Claimed and read in one statement (one round trip per batch). Only heads of their grant
    // (dueHeads): a claimed entry stays unfinished, so no replica takes its grant's next effect
    // until it is done, even after its lease lapsed and another replica retries it.
    const result = await sql<Selectable<OutboxRow>>`
      update outbox set next_attempt_at = ${until}
      where seq in (
        select o.seq from outbox o
        where ${dueHeads(at)}
        order by o.next_attempt_at, o.seq limit ${limit}
        for update skip locked)
      returning *`.execute(db);
    return result.rows.sort((a, b) => a.seq - b.seq);
  },
  async lockDue(trx, now, limit) {
    const result = await sql<
      Selectable<GrantRow>
    >`${dueGrants(now, limit)} for update skip locked`.execute(trx);
    return result.rows;
  },
  async updateGrants(trx, rows, columns) {
    if (rows.length === 0) return 0;
    const { assignments, json } = bulkUpdate(rows, columns, (column) => sql`v.${sql.ref(column)}`);
    const result = await sql`
      update grants set ${assignments}
      from jsonb_populate_recordset(null::grants, ${json}::jsonb) as v
      where grants.id = v.id and grants.version = v.version - 1`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  },
};
