/** The audit hash chain: canonical JSON of a record, chained with sha256. Pure. */
import { createHash } from 'node:crypto';

/** The hash before the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Audit events: one per grant transition, issue, wipe receipt or failure. */
export type AuditEvent =
  | 'requested'
  | 'activated'
  | 'approved'
  | 'denied'
  | 'cancelled'
  | 'extension_requested'
  | 'extended'
  | 'extension_denied'
  | 'extension_lapsed'
  | 'revoked'
  | 'expired'
  | 'credential_issued'
  | 'wiped'
  | 'effect_failed'
  /** An issuing effect found its grant no longer live when it came to act: nothing was done. */
  | 'effect_skipped'
  /** Reconciliation removed something at a target that no live grant accounts for. */
  | 'orphan_removed'
  /** A break-glass role was used: no approval, flagged for review. */
  | 'break_glass'
  /** A revocation kept failing at the target past the bound: access may remain there. */
  | 'target_irrevocable'
  /** A revocation given up as irrevocable finally succeeded at the target. */
  | 'target_revoked_late';

/** An audit record as hashed. Never carries a secret. */
export interface AuditRecord {
  seq: number;
  at: string;
  event: string;
  grantId: string | null;
  actor: string;
  role: string | null;
  details: string;
}

/** JSON with keys sorted at every level, so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 over the previous hash and the canonical JSON of the record, hex. */
export function chainHash(prevHash: string, record: AuditRecord): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(record)).digest('hex');
}

/** A stored record with its chain fields. */
export interface ChainedRecord extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** The first broken link of a chain, or null when every record checks out. */
export function findChainBreak(
  records: readonly ChainedRecord[],
): { seq: number; reason: string } | null {
  let expectedPrev = GENESIS_HASH;
  for (const record of records) {
    const { prevHash, hash, ...body } = record;
    if (prevHash !== expectedPrev)
      return { seq: record.seq, reason: 'its link to the previous record is broken' };
    if (chainHash(prevHash, body) !== hash)
      return { seq: record.seq, reason: 'its contents do not match its hash' };
    expectedPrev = hash;
  }
  return null;
}
