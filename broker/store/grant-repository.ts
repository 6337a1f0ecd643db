/**
 * The repository port: everything the lifecycle stores. Routes, workers and tests talk to this,
 * never to the query builder; each backend (SQLite today) implements it.
 */
import type { Grant, GrantChange, ProviderKind } from '../../protocol/broker-api.ts';
import type { EventAudience, GrantOwner, GrantRecord } from '../lifecycle/grant-record.ts';
import type { AuditDraft, Effect } from '../lifecycle/transition-types.ts';
import type { CheckpointPayload } from '../audit/checkpoint.ts';
import type { StoredCheckpoint } from '../audit/evidence.ts';
import type { WitnessedCheckpoint as LinkedCheckpoint } from '../audit/witness.ts';
import type { AuditEntry } from '../audit/append-audit.ts';

/** An event to store with a transition: the grant as the audience will see it. */
export interface EventToStore {
  change: GrantChange;
  audience: EventAudience;
  view: Grant;
}

/** One transition to commit: grant row, audit rows, outbox effects and events, all or nothing. */
export interface GrantWrite {
  grant: GrantRecord;
  audit: AuditDraft[];
  effects: Effect[];
  events: EventToStore[];
  issuedToken?: { tokenId: string; expiresAt: string };
  /** Webhook deliveries committed with the transition (outbox entries of kind `webhook`). */
  webhooks?: WebhookDelivery[];
  at: Date;
}

/** A webhook delivery to store in the outbox: one target and event, its payload snapshot. */
export interface WebhookDelivery {
  grantId: string;
  event: string;
  /** JSON snapshot (target id, event, grant fields); never a secret. */
  payload: string;
  /** When it is first due (`expiring`: the warning time; otherwise the commit time). */
  dueAt: Date;
}

/** A stored webhook delivery, as the outbox worker carries it out. */
export interface WebhookEffect {
  kind: 'webhook';
  grantId: string;
  event: string;
  payload: string;
}

/** What became of a commit. */
export type CommitOutcome =
  | { status: 'committed'; grant: GrantRecord; lastEventSeq: number | null }
  /** The grant changed since it was read (optimistic concurrency): read it again and retry. */
  | { status: 'stale' }
  /** An insert met a live grant of the same owner and role (checked inside the transaction). */
  | { status: 'live_exists'; live: GrantRecord }
  /** An insert met the same owner's idempotency key (a concurrent retry won). */
  | { status: 'duplicate_key' };

/** One grant of a due batch: as read, the write asked for, and as stored. */
export interface DueWrite {
  before: GrantRecord;
  write: GrantWrite;
  stored: GrantRecord;
}

/** What one due batch committed. */
export interface DueBatch {
  /** How many due grants the batch claimed (written or not). */
  claimed: number;
  committed: DueWrite[];
  lastEventSeq: number | null;
}

/** A stored event, as replayed and streamed. */
export interface StoredEvent {
  seq: number;
  at: string;
  grantId: string;
  change: GrantChange;
  audience: EventAudience;
  owner: string;
  grant: Grant;
}

/** An outbox entry waiting to be carried out. */
export interface OutboxEntry {
  seq: number;
  effect: Effect | WebhookEffect;
  attempts: number;
}

/** Counts of outbox work, for health. */
export interface OutboxStats {
  pending: number;
  failing: number;
  lastError: string | null;
}

/** Filters of an audit read; all optional, combined with AND. */
export interface AuditFilter {
  grant?: string | undefined;
  actor?: string | undefined;
  role?: string | undefined;
  event?: string | undefined;
  /** Records of the grants requested with this ticket. */
  ticket?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Records after this sequence number. */
  after?: number | undefined;
  limit: number;
}

/** A stored audit record. */
export interface StoredAuditRecord {
  seq: number;
  at: string;
  event: string;
  grantId: string | null;
  actor: string;
  role: string | null;
  /** Canonical JSON. */
  details: string;
  prevHash: string;
  hash: string;
}

/** The broker's storage. */
export interface GrantRepository {
  findGrant(id: string): Promise<GrantRecord | undefined>;
  /** The grants of `ids` that exist, in one read (the outbox worker's batch). */
  findGrants(ids: readonly string[]): Promise<GrantRecord[]>;
  findByIdempotencyKey(owner: GrantOwner, key: string): Promise<GrantRecord | undefined>;
  /** The owner's active or pending grant of `role`, if any. */
  findLiveForRole(owner: GrantOwner, role: string): Promise<GrantRecord | undefined>;
  /** The owner's grants, newest first. */
  listOwned(owner: GrantOwner, limit: number): Promise<GrantRecord[]>;
  /** Pending requests and active grants with a pending extension whose approver groups meet `groups`. */
  listAwaitingDecision(groups: readonly string[], limit: number): Promise<GrantRecord[]>;
  /** Revoked grants of `provider` whose deadline is after `now`: what a revocation list names. */
  listRevokedBefore(provider: ProviderKind, now: Date, limit: number): Promise<GrantRecord[]>;
  /**
   * In one transaction: claims up to `limit` grants due at `now`, earliest first (PostgreSQL:
   * `FOR UPDATE SKIP LOCKED`, so replicas split them and each is written once), asks `decide`
   * for each one's write (null: leave it), and commits them in bulk statements — grant rows,
   * one audit chain append, outbox entries, events.
   */
  commitDue(
    now: Date,
    limit: number,
    decide: (grant: GrantRecord) => GrantWrite | null,
  ): Promise<DueBatch>;
  /** The earliest deadline still ahead, if any. */
  nextDeadline(): Promise<Date | null>;
  /** Stores a new grant; refuses when the owner holds a live grant of the role or reused a key. */
  insert(write: GrantWrite): Promise<CommitOutcome>;
  /**
   * Stores a changed grant if its stored version is still `expectedVersion` (then bumps it).
   * `before`, the grant as read at that version, lets the store write only the changed columns.
   */
  update(write: GrantWrite, expectedVersion: number, before?: GrantRecord): Promise<CommitOutcome>;
  /** Events after `seq`, oldest first. */
  eventsAfter(seq: number, limit: number): Promise<StoredEvent[]>;
  /** The last event's sequence number (0 when none). */
  lastEventSeq(): Promise<number>;
  /** Claims up to `limit` outbox entries due at `now` and reads them, oldest first, in one statement. */
  dueEffects(now: Date, limit: number): Promise<OutboxEntry[]>;
  /** When the next outbox retry is due, if any. */
  nextEffectAt(): Promise<Date | null>;
  /**
   * Moves the lease of claimed, unfinished entries to `until`: a worker still carrying them out
   * keeps them (a short lease, renewed), so a broker killed mid-effect leaves them due again soon.
   */
  renewClaims(seqs: readonly number[], until: Date): Promise<void>;
  /** Marks the entries done, in one statement. */
  completeEffects(seqs: readonly number[], now: Date): Promise<void>;
  /** Records a failed attempt; the first failure of an entry also writes an `effect_failed` audit row. */
  failEffect(entry: OutboxEntry, error: string, retryAt: Date, now: Date): Promise<void>;
  outboxStats(): Promise<OutboxStats>;
  /** Appends one audit record of the broker's own (not a grant transition), under the chain lock. */
  recordAudit(entry: AuditEntry): Promise<void>;
  /**
   * Grants that account for access at a target (reconciliation): active ones, and ended ones whose
   * provider effects are not all finished yet (their revoke will act). Every provider kind: a
   * bundle's grant holds access through its members' providers.
   */
  grantsAccountingForAccess(): Promise<GrantRecord[]>;
  /** Marks every token issued for the grant revoked (the jwt provider's revocation). */
  revokeIssuedTokens(grantId: string, now: Date): Promise<number>;
  /** Whether a handed-out token id is revoked; undefined for a token id the broker never issued. */
  isTokenRevoked(jti: string): Promise<boolean | undefined>;
  /** Audit records matching `filter`, oldest first. */
  queryAudit(filter: AuditFilter): Promise<StoredAuditRecord[]>;
  /** Grants requested with `ticket`, or created in [since, until), oldest first. */
  grantsFor(scope: { ticket?: string; since?: string; until?: string }): Promise<GrantRecord[]>;
  /**
   * Signs the chain head into a new checkpoint (under the chain lock), unless the newest
   * checkpoint already holds this head. Returns the checkpoint written, or null.
   */
  appendCheckpoint(
    now: Date,
    kid: string,
    sign: (payload: CheckpointPayload) => Promise<string>,
  ): Promise<StoredCheckpoint | null>;
  /**
   * Checkpoints stored after checkpoint `afterSeq`, oldest first, at most `limit`, with the link
   * each signs to the one before (read from its payload, not verified: witnesses keep them as
   * signed, and the verifier checks them).
   */
  checkpointsAfter(afterSeq: number, limit: number): Promise<LinkedCheckpoint[]>;
  /** Grants by stored status, and grants whose revocation was given up (irrevocable), for metrics. */
  grantCounts(): Promise<{ byStatus: Record<string, number>; irrevocable: number }>;
  close(): Promise<void>;
}
