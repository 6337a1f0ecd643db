/** Appends one audit record inside the caller's transaction, chained to the last one. */
import type { Selectable, Transaction } from 'kysely';
import type { AuditRow, BrokerDatabase } from '../store/schema.ts';
import { canonicalJson, chainHash, GENESIS_HASH, type AuditEvent } from './audit-chain.ts';

/** What the caller says about a transition. `details` must never hold a secret. */
export interface AuditEntry {
  at: Date;
  event: AuditEvent;
  grantId: string | null;
  actor: string;
  role: string | null;
  details: Record<string, unknown>;
}

/** Appends `entry` in `trx`; if this throws, the caller's transaction (and its grant change) rolls back. */
export function appendAudit(trx: Transaction<BrokerDatabase>, entry: AuditEntry): Promise<void> {
  return appendAuditBatch(trx, [entry]);
}

/** The chain head: the last record's sequence number and hash (0 and GENESIS_HASH when empty). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** An audit row as stored. */
export type ChainedAuditRow = Selectable<AuditRow>;

/** The rows that append `entries` after `head`, in order, each hashed onto the one before. Pure. */
export function chainAuditRows(head: ChainHead, entries: readonly AuditEntry[]): ChainedAuditRow[] {
  let seq = head.seq;
  let prevHash = head.hash;
  return entries.map((entry) => {
    seq += 1;
    const record = {
      seq,
      at: entry.at.toISOString(),
      event: entry.event,
      grantId: entry.grantId,
      actor: entry.actor,
      role: entry.role,
      details: canonicalJson(entry.details),
    };
    const hash = chainHash(prevHash, record);
    const row = {
      seq,
      at: record.at,
      event: record.event,
      grant_id: record.grantId,
      actor: record.actor,
      role: record.role,
      details: record.details,
      prev_hash: prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
}

/**
 * Appends `entries` in order with one read of the chain head and one insert (the chain lock, where
 * the backend needs one, is the caller's). If this throws, the caller's transaction rolls back.
 */
export async function appendAuditBatch(
  trx: Transaction<BrokerDatabase>,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const last = await trx
    .selectFrom('audit')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  await trx.insertInto('audit').values(chainAuditRows(head, entries)).execute();
}
