/**
 * PostgreSQL: what commits with grant changes in two statements instead of one per table
 * (bench/README.md, broker-issue: the issue path was bound by round trips, and on PostgreSQL by
 * how long the audit chain lock is held). Each table's rows go as one JSON parameter, so the
 * statements do not grow with rows.
 *
 * 1. the grant row (insert or versioned update), outbox entries and token ids written, then the
 *    chain lock taken and the chain head read under it (`hourglass_lock_chain_head`, a VOLATILE
 *    function: its read takes a snapshot of its own, after the lock is held, and sees every append
 *    committed before);
 * 2. the audit rows and the events inserted, and the last event's sequence number announced.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import { GENESIS_HASH } from '../audit/audit-chain.ts';
import { chainAuditRows, type ChainHead } from '../audit/append-audit.ts';
import type { GrantWrite } from './grant-repository.ts';
import { GRANT_UPDATE_COLUMNS } from './grant-row.ts';
import { auditEntries, eventRows, outboxRows, tokenRows } from './kysely-bulk-write.ts';
import type { BrokerDatabase, GrantRow } from './schema.ts';
import { CHAIN_LOCK, EVENTS_CHANNEL } from './store-dialect.ts';

const GRANT_COLUMNS = ['id', ...GRANT_UPDATE_COLUMNS];
// The first statement's one row: the grant statement's row count and the chain head under the lock.
const firstRowSchema = z.object({
  n: z.number().nullable(),
  head_seq: z.number().nullable(),
  head_hash: z.string().nullable(),
});
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
 * Statement 1: the lead, outbox entries and token ids, then (when `chained`) the chain lock and
 * the chain head read under it (`hourglass_lock_chain_head`). The lock is taken after the lead's
 * row count is known, i.e. after its unique checks and row locks (which may wait for another
 * transaction): never waiting there while holding the chain lock. Data-modifying WITH clauses run
 * to completion whether or not the query reads them. Returns the head (null: not chained).
 */
async function writeFirst(
  trx: Transaction<BrokerDatabase>,
  writes: readonly GrantWrite[],
  lead: LeadStatement | undefined,
  chained: boolean,
): Promise<ChainHead | null> {
  const outbox = outboxRows(writes);
  const tokens = tokenRows(writes);
  const ctes: RawBuilder<unknown>[] = lead ? [lead.statement] : [];
  if (outbox.length > 0) ctes.push(insertRows('outbox', OUTBOX_COLUMNS, outbox));
  if (tokens.length > 0) ctes.push(insertRows('issued_tokens', TOKEN_COLUMNS, tokens));
  if (ctes.length === 0 && !chained) return null;
  const count = lead
    ? sql`select count(*)::integer as n from ${sql.id('w0')}`
    : sql`select null::integer as n`;
  const tail = chained
    ? sql`select c.n, h.head_seq, h.head_hash from (${count}) as c
        left join lateral hourglass_lock_chain_head(${CHAIN_LOCK}, c.n) as h on true`
    : sql`select c.n, null as head_seq, null as head_hash from (${count}) as c`;
  const result = await withAll(ctes, tail).execute(trx);
  const row = firstRowSchema.parse(result.rows[0]);
  if (lead && row.n !== lead.rows) throw new StaleGrantWrite();
  if (!chained) return null;
  return row.head_seq === null || row.head_hash === null
    ? { seq: 0, hash: GENESIS_HASH }
    : { seq: row.head_seq, hash: row.head_hash };
}

/**
 * Statement 2: the audit rows (chained onto `head`) and the events, announcing the last event.
 * Returns its seq, or null.
 */
async function appendChained(
  trx: Transaction<BrokerDatabase>,
  head: ChainHead,
  audit: ReturnType<typeof auditEntries>,
  events: ReturnType<typeof eventRows>,
): Promise<number | null> {
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
  const head = await writeFirst(trx, writes, lead, chained);
  return head ? appendChained(trx, head, audit, events) : null;
}
