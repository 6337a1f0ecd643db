/** The protocol's view of a grant: budget and wipe state computed from the record, policy and now. */
import type { ExtensionBudget, Grant, WipeState } from '../../protocol/broker-api.ts';
import { assertNever } from '../../protocol/errors.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';

/** What the view needs besides the record. */
export interface ViewContext {
  policy: Policy;
  now: Date;
  /** Seconds after a grant ends that a missing wipe receipt is still awaited. */
  wipeGraceSeconds: number;
}

function budgetOf(grant: GrantRecord, policy: Policy): ExtensionBudget {
  const role = policy.roles.find((r) => r.name === grant.role);
  const usedCount = grant.extensionCount;
  const usedSeconds = grant.extensionSeconds;
  if (!role) {
    return {
      usedCount,
      usedSeconds,
      remainingCount: 0,
      remainingSeconds: 0,
      maxEachSeconds: 0,
      requiresApproval: false,
    };
  }
  const remainingCount = Math.max(0, role.extension.maxCount - usedCount);
  const remainingSeconds = Math.max(0, role.extension.maxTotal - usedSeconds);
  return {
    usedCount,
    usedSeconds,
    remainingCount,
    remainingSeconds,
    maxEachSeconds: remainingCount > 0 ? Math.min(role.maxDuration, remainingSeconds) : 0,
    requiresApproval: role.extension.requireApproval,
  };
}

/**
 * Whether the device confirmed the secret is gone. A grant whose credential was never handed out
 * has nothing on any device: `none`, also once it ended (nothing to wait for).
 */
export function wipeStateOf(grant: GrantRecord, now: Date, graceSeconds: number): WipeState {
  if (grant.wipe) return 'wiped';
  if (grant.credentialIssuedAt === null) return 'none';
  switch (grant.status) {
    case 'pending':
    case 'active':
      return 'none';
    case 'denied':
    case 'expired':
    case 'revoked':
    case 'cancelled': {
      const ended = Date.parse(grant.endedAt ?? grant.createdAt);
      return now.getTime() < ended + graceSeconds * 1000 ? 'awaiting' : 'not_confirmed';
    }
    default:
      return assertNever(grant.status);
  }
}

/** Maps a record to the protocol's grant shape. */
export function toGrantView(grant: GrantRecord, ctx: ViewContext): Grant {
  return {
    id: grant.id,
    role: grant.role,
    subject: grant.subject,
    provider: grant.provider,
    status: grant.status,
    reason: grant.reason,
    ticket: grant.ticket,
    requestedSeconds: grant.requestedSeconds,
    grantedSeconds: grant.grantedSeconds,
    createdAt: grant.createdAt,
    activatedAt: grant.activatedAt,
    expiresAt: grant.expiresAt,
    endedAt: grant.endedAt,
    requestExpiresAt: grant.requestExpiresAt,
    requesterName: grant.requesterName,
    approvalsRequired: grant.approvalsRequired,
    approverGroups: [...grant.approverGroups],
    approvals: grant.approvals.map((a) => ({ ...a })),
    endedBy: grant.endedBy,
    endReason: grant.endReason,
    unusedSeconds: grant.unusedSeconds,
    extension: budgetOf(grant, ctx.policy),
    pendingExtension: grant.pendingExtension,
    wipe: grant.wipe,
    wipeState: wipeStateOf(grant, ctx.now, ctx.wipeGraceSeconds),
    irrevocableAt: grant.irrevocableAt,
  };
}
