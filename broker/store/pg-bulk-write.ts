/**
 * PostgreSQL: what commits with grant changes in three round trips instead of one per table
 * (bench/README.md, broker-issue: the issue path was bound by round trips). Each table's rows go
 * as one JSON parameter (`jsonb_populate_recordset`), so the statements do not grow with rows.
 *
 * 1. new grants, outbox entries and token ids inserted, and the audit chain lock taken;
 * 2. the chain head read — a statement of its own, so its snapshot is taken after the lock is held
 *    and sees every append committed before;
 * 3. the audit rows and the events inserted, and the last event's sequence number announced.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { GENESIS_HASH } from '../audit/audit-chain.ts';
import { chainAuditRows } from '../audit/append-audit.ts';
import type { GrantWrite } from './grant-repository.ts';
import { GRANT_UPDATE_COLUMNS } from './grant-row.ts';
import { auditEntries, eventRows, outboxRows, tokenRows } from './kysely-bulk-write.ts';
import type { BrokerDatabase, GrantRow } from './schema.ts';
import { CHAIN_LOCK, EVENTS_CHANNEL } from './store-dialect.ts';

const GRANT_COLUMNS = ['id', ...GRANT_UPDATE_COLUMNS];
const OUTBOX_COLUMNS = [
  'grant_id',
  'kind',
  'action',
  'created_at',
  'next_attempt_at',
  'attempts',
  'last_error',
  'done_at',
  'payload',
];
const TOKEN_COLUMNS = ['jti', 'grant_id', 'expires_at', 'revoked_at'];
const AUDIT_COLUMNS = [
  'seq',
  'at',
  'event',
  'grant_id',
  'actor',
  'role',
  'details',
  'prev_hash',
  'hash',
];
const EVENT_COLUMNS = ['at', 'grant_id', 'change', 'audience', 'owner', 'groups', 'grant'];

/**
 * `insert into <table> (cols) select cols from <rows as JSON>`, in the rows' order. Table and
 * column names are the constants above, never input.
 */
function insertRows(table: string, columns: readonly string[], rows: readonly object[]) {
  const names = sql.join(columns.map((column) => sql.ref(column)));
  const fields = sql.join(columns.map((column) => sql.ref(`r.${column}`)));
  return sql`insert into ${sql.table(table)} (${names})
    select ${fields} from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) with ordinality as x(v, n)
    cross join lateral jsonb_populate_record(null::${sql.table(table)}, x.v) as r
    order by x.n`;
}

/** `with a as (…), b as (…) <tail>`, or just the tail. */
function withAll(ctes: readonly RawBuilder<unknown>[], tail: RawBuilder<unknown>) {
  if (ctes.length === 0) return tail;
  const named = ctes.map((cte, i) => sql`${sql.id(`w${i}`)} as (${cte})`);
  return sql`with ${sql.join(named)} ${tail}`;
}

/** Thrown in the transaction when the lead statement wrote fewer rows than asked: it rolls back. */
export class StaleGrantWrite extends Error {
  constructor() {
    super('the grant changed since it was read');
  }
}

/** The grant statement that goes first (`returning 1` for each row it writes), and its row count. */
export interface LeadStatement {
  statement: RawBuilder<unknown>;
  rows: number;
}

/** The insert of new grant rows, as a lead statement. */
export function insertGrants(rows: readonly GrantRow[]): LeadStatement {
  return {
    statement: sql`${insertRows('grants', GRANT_COLUMNS, rows)} returning 1`,
    rows: rows.length,
  };
}

/**
 * Statement 1: the lead, outbox entries and token ids, and the chain lock when `chained`. The
 * lock is taken from the count of the lead's rows, so only after the lead is done (its unique
 * checks and row locks may wait for another transaction): never waiting there while holding the
 * chain lock. Data-modifying WITH clauses run to completion whether or not the query reads them.
 */
async function writeFirst(
  trx: Transaction<BrokerDatabase>,
  writes: readonly GrantWrite[],
  lead: LeadStatement | undefined,
  chained: boolean,
): Promise<void> {
  const outbox = outboxRows(writes);
  const tokens = tokenRows(writes);
  const ctes: RawBuilder<unknown>[] = lead ? [lead.statement] : [];
  if (outbox.length > 0) ctes.push(insertRows('outbox', OUTBOX_COLUMNS, outbox));
  if (tokens.length > 0) ctes.push(insertRows('issued_tokens', TOKEN_COLUMNS, tokens));
  if (ctes.length === 0 && !chained) return;
  const lock = chained ? sql`pg_advisory_xact_lock(${CHAIN_LOCK})` : sql`null`;
  const tail = lead
    ? sql`select c.n, ${lock} as locked from (select count(*)::integer as n from ${sql.id('w0')}) as c`
    : sql`select null::integer as n, ${lock} as locked`;
  const result = await withAll(ctes, tail).execute(trx);
  const written = (result.rows[0] as { n?: number | null } | undefined)?.n;
  if (lead && written !== lead.rows) throw new StaleGrantWrite();
}

/**
 * Statements 2 and 3: the chain head (its own statement, so its snapshot is taken with the lock
 * held), then the audit rows and events, announcing the last event. Returns its seq, or null.
 */
async function appendChained(
  trx: Transaction<BrokerDatabase>,
  audit: ReturnType<typeof auditEntries>,
  events: ReturnType<typeof eventRows>,
): Promise<number | null> {
  const last = await sql<{ seq: number; hash: string }>`
    select seq, hash from audit order by seq desc limit 1`.execute(trx);
  const top = last.rows[0];
  const head = top ? { seq: Number(top.seq), hash: top.hash } : { seq: 0, hash: GENESIS_HASH };
  const ctes: RawBuilder<unknown>[] = [];
  if (audit.length > 0) ctes.push(insertRows('audit', AUDIT_COLUMNS, chainAuditRows(head, audit)));
  if (events.length > 0)
    ctes.push(sql`${insertRows('events', EVENT_COLUMNS, events)} returning seq`);
  // Events (when any) are the last clause: announce their last sequence number to other replicas.
  const eventsClause = sql.id(`w${ctes.length - 1}`);
  const announce =
    events.length > 0
      ? sql`select m.seq, pg_notify(${EVENTS_CHANNEL}, m.seq::text) as notified
          from (select max(seq) as seq from ${eventsClause}) as m`
      : sql`select null::integer as seq`;
  const result = await withAll(ctes, announce).execute(trx);
  const seq = (result.rows[0] as { seq?: number | null } | undefined)?.seq;
  return seq === null || seq === undefined ? null : Number(seq);
}

/**
 * Writes `lead` (a grant insert or update; fewer rows than it names throws StaleGrantWrite),
 * then the outbox entries, token ids, audit rows and events of `writes` inside `trx`, in three
 * statements. Returns the last event's sequence number (null: no event).
 */
export async function pgWriteAlongside(
  trx: Transaction<BrokerDatabase>,
  writes: readonly GrantWrite[],
  lead?: LeadStatement,
): Promise<number | null> {
  const audit = auditEntries(writes);
  const events = eventRows(writes);
  const chained = audit.length > 0 || events.length > 0;
  await writeFirst(trx, writes, lead, chained);
  return chained ? appendChained(trx, audit, events) : null;
}
