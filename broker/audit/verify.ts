/** Verifies the audit hash chain stored in the broker database. */
import type { Kysely } from 'kysely';
import type { BrokerDatabase } from '../store/schema.ts';
import { findChainBreak } from './audit-chain.ts';

/** Outcome of verifying the audit log. */
export type AuditVerification =
  | { ok: true; records: number }
  | { ok: false; records: number; brokenSeq: number; message: string };

/** Reads every audit record in order and names the first broken one. */
export async function verifyAuditLog(db: Kysely<BrokerDatabase>): Promise<AuditVerification> {
  const rows = await db.selectFrom('audit').selectAll().orderBy('seq', 'asc').execute();
  const records = rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    event: row.event,
    grantId: row.grant_id,
    actor: row.actor,
    role: row.role,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
  const broken = findChainBreak(records);
  if (!broken) return { ok: true, records: records.length };
  const row = rows.find((r) => r.seq === broken.seq);
  return {
    ok: false,
    records: records.length,
    brokenSeq: broken.seq,
    message: `audit record #${broken.seq} (${row?.event ?? '?'}, grant ${row?.grant_id ?? '-'}) is broken: ${broken.reason}`,
  };
}
