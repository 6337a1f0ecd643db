/** Appends one audit record inside the caller's transaction, chained to the last one. */
import type { Transaction } from 'kysely';
import type { BrokerDatabase } from '../store/schema.ts';
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
export async function appendAudit(
  trx: Transaction<BrokerDatabase>,
  entry: AuditEntry,
): Promise<void> {
  const last = await trx
    .selectFrom('audit')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const record = {
    seq,
    at: entry.at.toISOString(),
    event: entry.event,
    grantId: entry.grantId,
    actor: entry.actor,
    role: entry.role,
    details: canonicalJson(entry.details),
  };
  await trx
    .insertInto('audit')
    .values({
      seq,
      at: record.at,
      event: record.event,
      grant_id: record.grantId,
      actor: record.actor,
      role: record.role,
      details: record.details,
      prev_hash: prevHash,
      hash: chainHash(prevHash, record),
    })
    .execute();
}
