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
  requester_name: string | null;
  session_ends_at: string | null;
  /** JSON array of group names. */
  approver_groups: string;
  /** JSON array of approvals of the request. */
  approvals: string;
  ended_by: string | null;
  end_reason: string | null;
  unused_seconds: number | null;
  extension_count: number;
  extension_seconds: number;
  /** JSON of the pending extension, or null. */
  pending_extension: string | null;
  /** JSON of the wipe receipt, or null. */
  wipe: string | null;
  credential_issued_at: string | null;
  /** When revocation at the target was given up as irrevocable (the alarm); null otherwise. */
  irrevocable_at: string | null;
  /** The next instant the broker must act on this grant (indexed); null once it ended. */
  deadline_at: string | null;
  version: number;
}

/** A row of `outbox`: an effect committed with its transition, carried out after. */
export interface OutboxRow {
  seq: Generated<number>;
  grant_id: string;
  kind: string;
  action: string;
  created_at: string;
  next_attempt_at: string;
  attempts: number;
  last_error: string | null;
  done_at: string | null;
  /** A webhook delivery's JSON snapshot (target id, event, grant fields; never a secret); null for provider effects. */
  payload: string | null;
}

/** A row of `events`: what `GET /v1/events` streams; `seq` is the SSE event id. */
export interface EventRow {
  seq: Generated<number>;
  at: string;
  grant_id: string;
  change: string;
  /** `owner` or `approver`. */
  audience: string;
  /** `issuer#subject` of the grant's owner. */
  owner: string;
  /** JSON array: for `approver` events, the groups whose members receive it. */
  groups: string;
  /** JSON of the protocol grant at commit. */
  grant: string;
}

/** A row of `issued_tokens`: token ids of handed-out JWT credentials (never the token). */
export interface IssuedTokenRow {
  jti: string;
  grant_id: string;
  expires_at: string;
  revoked_at: string | null;
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

/** A row of `audit_checkpoints`: the chain head at a moment, signed with the broker's key. */
export interface AuditCheckpointRow {
  seq: Generated<number>;
  at: string;
  head_seq: number;
  head_hash: string;
  /** The signing key's id (JWK thumbprint). */
  kid: string;
  /** Compact JWS (ES256) over `{ at, headSeq, headHash }`. */
  signature: string;
}

/** The broker database. */
export interface BrokerDatabase {
  grants: GrantRow;
  audit: AuditRow;
  outbox: OutboxRow;
  events: EventRow;
  issued_tokens: IssuedTokenRow;
  audit_checkpoints: AuditCheckpointRow;
}
