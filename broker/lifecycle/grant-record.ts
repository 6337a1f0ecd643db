/** The broker's own record of a grant: what the lifecycle rules read and write. Never a secret. */
import type {
  Approval,
  GrantChange,
  GrantStatus,
  PendingExtension,
  ProviderKind,
  WipeReceipt,
} from '../../protocol/broker-api.ts';
import { assertNever } from '../../protocol/errors.ts';

/** The owner of a grant: issuer + subject. */
export interface GrantOwner {
  issuer: string;
  subject: string;
}

/** `issuer#subject`: how audit rows and approvals name a person. */
export const actorKey = (who: GrantOwner): string => `${who.issuer}#${who.subject}`;

/** A grant as stored. Instants are ISO-8601 UTC strings, as in the protocol. */
export interface GrantRecord {
  id: string;
  tenant: string;
  role: string;
  issuer: string;
  subject: string;
  requesterName: string | null;
  provider: ProviderKind;
  status: GrantStatus;
  reason: string;
  ticket: string | null;
  requestedSeconds: number;
  grantedSeconds: number;
  createdAt: string;
  activatedAt: string | null;
  expiresAt: string | null;
  endedAt: string | null;
  requestExpiresAt: string | null;
  /** When the requester's IdP session ends (caps the grant at activation), where known. */
  sessionEndsAt: string | null;
  approvalsRequired: number;
  approverGroups: string[];
  approvals: Approval[];
  endedBy: string | null;
  endReason: string | null;
  unusedSeconds: number | null;
  extensionCount: number;
  extensionSeconds: number;
  pendingExtension: PendingExtension | null;
  wipe: WipeReceipt | null;
  /** When a credential was last handed out; null when none ever was. */
  credentialIssuedAt: string | null;
  /** When revocation at the target was given up (the alarm); null when access is gone or never was. */
  irrevocableAt: string | null;
  idempotencyKey: string | null;
  /** Optimistic-concurrency version: bumped on every write. */
  version: number;
}

/**
 * The next instant the broker must act on a grant without being asked: an active grant's
 * deadline (or its pending extension's lapse, whichever is first), a pending request's TTL.
 */
export function deadlineOf(grant: GrantRecord): string | null {
  switch (grant.status) {
    case 'active': {
      const lapse = grant.pendingExtension?.expiresAt ?? null;
      if (lapse === null || grant.expiresAt === null) return grant.expiresAt ?? lapse;
      return Date.parse(lapse) < Date.parse(grant.expiresAt) ? lapse : grant.expiresAt;
    }
    case 'pending':
      return grant.requestExpiresAt;
    case 'denied':
    case 'expired':
    case 'revoked':
    case 'cancelled':
      return null;
    default:
      return assertNever(grant.status);
  }
}

/** Who a stored event is for: the grant's owner, or members of some groups (not the owner). */
export type EventAudience = { kind: 'owner' } | { kind: 'approver'; groups: string[] };

/** An event a transition emits; the repository gives it its sequence number. */
export interface GrantEventDraft {
  change: GrantChange;
  audience: EventAudience;
}
