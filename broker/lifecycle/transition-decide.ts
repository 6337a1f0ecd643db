/** The `approve` and `deny` rules, for pending requests and for pending extensions alike. */
import type { Approval } from '../../protocol/broker-api.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import type { Transitioned, UserActor } from './transition-types.ts';
import {
  accept,
  approverAudience,
  effectiveStatus,
  isPast,
  keyOf,
  notFound,
  plusSeconds,
  refuse,
  relationTo,
  roleOf,
  secondsUntil,
  wrongState,
  type TransitionResult,
} from './transition-support.ts';
import { MIN_EXTENSION_MOVE_SECONDS, noMoveMessage, secondsBetween } from './transition-extend.ts';

type Decision = 'approve' | 'deny';

/** What the caller would decide: the request itself, or the extension waiting on an active grant. */
function subjectOf(
  grant: GrantRecord,
  decision: Decision,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult | 'request' | 'extension' {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  const verb = decision === 'approve' ? 'approve' : 'deny';
  if (relation === 'owner') {
    return refuse(
      'not_approver',
      decision === 'approve'
        ? `you cannot approve your own request; it needs someone in ${grant.approverGroups.join(', ') || 'an approver group'}`
        : 'you cannot deny your own request; withdraw it with `hourglass cancel` instead',
    );
  }
  if (relation !== 'approver') {
    return refuse(
      'not_approver',
      `only members of ${grant.approverGroups.join(', ') || 'the approver groups'} may ${verb} ${grant.role}`,
    );
  }
  const status = effectiveStatus(grant, now);
  if (status === 'pending') return 'request';
  const extension = grant.pendingExtension;
  if (status === 'active' && extension && !isPast(extension.expiresAt, now)) return 'extension';
  return wrongState(grant, status, `there is nothing waiting to ${verb}`);
}

function approval(actor: UserActor, now: Date, comment: string | null): Approval {
  return { by: keyOf(actor), byName: actor.name, at: now.toISOString(), comment };
}

/** Expiry of a grant activated or extended at `now` for `seconds`, capped by the requester's session. */
function cappedDeadline(grant: GrantRecord, now: Date, seconds: number): number {
  const session = secondsUntil(grant.sessionEndsAt, now);
  // A session that already ended does not shorten the grant to nothing: the requester must sign in
  // again to fetch the credential anyway.
  return session > 0 ? Math.min(seconds, session) : seconds;
}

/** Approves a request or an extension; the last needed approval activates (or extends) the grant. */
export function approveGrant(
  grant: GrantRecord,
  comment: string | null,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const target = subjectOf(grant, 'approve', policy, actor, now);
  if (typeof target !== 'string') return target;
  const me = keyOf(actor);
  const existing =
    target === 'request' ? grant.approvals : (grant.pendingExtension?.approvals ?? []);
  if (existing.some((a) => a.by === me)) {
    return refuse(
      'invalid_state',
      `you already approved this ${target} of grant ${grant.id}; each approver counts once`,
    );
  }
  const approvals = [...existing, approval(actor, now, comment)];
  if (target === 'request') return approveRequest(grant, approvals, me, now);
  const role = roleOf(policy, grant);
  if (!role)
    return wrongState(grant, grant.status, `role ${grant.role} is no longer in the policy`);
  return approveExtension(
    grant,
    approvals,
    Math.max(1, role.approval.required),
    role.extension.maxTotal,
    me,
    now,
  );
}

function approveRequest(
  grant: GrantRecord,
  approvals: Approval[],
  me: string,
  now: Date,
): TransitionResult {
  const done = approvals.length >= grant.approvalsRequired;
  const result: Transitioned = {
    grant: { ...grant, approvals },
    audit: [
      {
        event: 'approved',
        actor: me,
        details: {
          kind: 'request',
          comment: approvals.at(-1)?.comment ?? null,
          approvals: approvals.length,
          required: grant.approvalsRequired,
        },
      },
    ],
    effects: [],
    events: [
      { change: 'approved', audience: { kind: 'owner' } },
      { change: 'approved', audience: approverAudience(grant) },
    ],
  };
  if (!done) return accept(result);
  const seconds = cappedDeadline(grant, now, grant.grantedSeconds);
  result.grant = {
    ...result.grant,
    status: 'active',
    activatedAt: now.toISOString(),
    expiresAt: plusSeconds(now, seconds),
    grantedSeconds: seconds,
    requestExpiresAt: null,
  };
  result.audit.push({
    event: 'activated',
    actor: me,
    details: { expiresAt: result.grant.expiresAt },
  });
  result.effects.push({ kind: 'provider', action: 'issue', grantId: grant.id });
  return accept(result);
}

function approveExtension(
  grant: GrantRecord,
  approvals: Approval[],
  required: number,
  roleExtensionTotal: number,
  me: string,
  now: Date,
): TransitionResult {
  const pending = grant.pendingExtension;
  if (!pending) return wrongState(grant, grant.status, 'there is no extension waiting');
  const audit = {
    event: 'approved' as const,
    actor: me,
    details: {
      kind: 'extension',
      comment: approvals.at(-1)?.comment ?? null,
      approvals: approvals.length,
      required,
    },
  };
  if (approvals.length < required) {
    return accept({
      grant: { ...grant, pendingExtension: { ...pending, approvals } },
      audit: [audit],
      effects: [],
      events: [
        { change: 'approved', audience: { kind: 'owner' } },
        { change: 'approved', audience: approverAudience(grant) },
      ],
    });
  }
  // The budget is charged with how far the deadline moves; time passed since the request never
  // lets it move past what the budget has left.
  const left = Math.max(0, roleExtensionTotal - grant.extensionSeconds);
  const capped = cappedDeadline(grant, now, pending.durationSeconds);
  const untilNow = Math.max(0, secondsUntil(grant.expiresAt, now));
  const seconds = Math.min(capped, untilNow + left);
  const expiresAt = plusSeconds(now, seconds);
  const moved = secondsBetween(grant.expiresAt, expiresAt);
  if (moved < MIN_EXTENSION_MOVE_SECONDS) {
    return refuse(
      'policy_violation',
      `${noMoveMessage(grant, now, capped < pending.durationSeconds ? grant.sessionEndsAt : null)}. Deny it instead`,
    );
  }
  return accept({
    grant: {
      ...grant,
      expiresAt,
      pendingExtension: null,
      extensionCount: grant.extensionCount + 1,
      extensionSeconds: grant.extensionSeconds + moved,
    },
    audit: [
      audit,
      {
        event: 'extended',
        actor: me,
        details: { previousExpiresAt: grant.expiresAt, expiresAt, seconds, moved },
      },
    ],
    effects: [{ kind: 'provider', action: 'reissue', grantId: grant.id }],
    events: [
      { change: 'extended', audience: { kind: 'owner' } },
      { change: 'extended', audience: approverAudience(grant) },
    ],
  });
}

/** Denies a request (it ends, the comment shown to the requester) or a pending extension. */
export function denyGrant(
  grant: GrantRecord,
  comment: string | null,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const target = subjectOf(grant, 'deny', policy, actor, now);
  if (typeof target !== 'string') return target;
  const me = keyOf(actor);
  if (target === 'extension') {
    return accept({
      grant: { ...grant, pendingExtension: null },
      audit: [{ event: 'extension_denied', actor: me, details: { comment } }],
      effects: [],
      events: [
        { change: 'extension_denied', audience: { kind: 'owner' } },
        { change: 'extension_denied', audience: approverAudience(grant) },
      ],
    });
  }
  return accept({
    grant: {
      ...grant,
      status: 'denied',
      endedAt: now.toISOString(),
      endedBy: me,
      endReason: comment,
      requestExpiresAt: null,
    },
    audit: [{ event: 'denied', actor: me, details: { comment } }],
    effects: [],
    events: [
      { change: 'denied', audience: { kind: 'owner' } },
      { change: 'denied', audience: approverAudience(grant) },
    ],
  });
}
