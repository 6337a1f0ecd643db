/** The vocabulary of the grant lifecycle: commands, callers, effects and what a transition yields. */
import type { CreateRequestBody, WipedBody } from '../../protocol/broker-api.ts';
import type { AuditEvent } from '../audit/audit-chain.ts';
import type { GrantEventDraft, GrantRecord } from './grant-record.ts';

/** A person acting through the API, as proven by their access token. */
export interface UserActor {
  kind: 'user';
  issuer: string;
  subject: string;
  name: string | null;
  groups: readonly string[];
  /** End of the caller's IdP session, where the token says (claim `session_exp`). */
  sessionEndsAt: Date | null;
}

/** Who acts: a user, or the broker itself (deadlines). */
export type Actor = UserActor | { kind: 'broker' };

/** Every command the lifecycle knows. A closed union. */
export type GrantCommand =
  | {
      kind: 'request';
      id: string;
      tenant: string;
      body: CreateRequestBody;
      idempotencyKey: string | null;
      /** The caller's live (active or pending) grant of the same role, if any. */
      live: GrantRecord | null;
    }
  | { kind: 'approve'; comment: string | null }
  | { kind: 'deny'; comment: string | null }
  | { kind: 'cancel' }
  | { kind: 'extend'; durationSeconds: number; reason?: string | null }
  | { kind: 'revoke'; reason: string | null }
  | { kind: 'expire' }
  | { kind: 'recordWipe'; receipt: WipedBody }
  | { kind: 'issueCredential'; tokenId: string }
  /** The broker: a revocation kept failing at the target past the bound (an alarm). */
  | { kind: 'targetIrrevocable'; attempts: number; error: string }
  /** The broker: a revocation given up as irrevocable finally succeeded at the target. */
  | { kind: 'targetRevoked'; attempts: number };

/** Work carried out after commit, through the outbox. */
export type Effect = { kind: 'provider'; action: 'issue' | 'reissue' | 'revoke'; grantId: string };

/** One audit record a transition asks for. Never a secret. */
export interface AuditDraft {
  event: AuditEvent;
  actor: string;
  details: Record<string, unknown>;
}

/** What a successful transition yields: the new grant, and what to commit with it. */
export interface Transitioned {
  grant: GrantRecord;
  audit: AuditDraft[];
  effects: Effect[];
  events: GrantEventDraft[];
  /** A credential handed out by this transition: its token id is kept so revocation can refuse it. */
  issuedToken?: { tokenId: string; expiresAt: string };
}
