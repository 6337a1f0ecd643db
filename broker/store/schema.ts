/** Table types of the broker's database. Times are ISO-8601 UTC strings. */
import type { Generated } from 'kysely';

/** A row of `grants`. */
export interface GrantRow {
  id: string;
  tenant: string;
  role: string;
  issuer: string;
  subject: string;
  provider: string;
  status: string;
  reason: string;
  ticket: string | null;
  requested_seconds: number;
  granted_seconds: number;
  approvals_required: number;
  created_at: string;
  activated_at: string | null;
  expires_at: string | null;
  ended_at: string | null;
  /** When a pending request expires unapproved; null once decided (and for no-approval roles). */
  request_expires_at: string | null;
  /** The client's idempotency key for the request that created this grant. */
  idempotency_key: string | null;
}

/** A row of the append-only, hash-chained `audit` table. */
export interface AuditRow {
  seq: Generated<number>;
  at: string;
  event: string;
  grant_id: string | null;
  actor: string;
  role: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The broker database. */
export interface BrokerDatabase {
  grants: GrantRow;
  audit: AuditRow;
}
