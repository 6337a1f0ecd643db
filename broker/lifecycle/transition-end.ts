/** The rules that end a grant or a wait: cancel, revoke ("I'm done"), expire. */
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import type { Actor, Transitioned, UserActor } from './transition-types.ts';
import {
  accept,
  approverAudience,
  effectiveStatus,
  isPast,
  keyOf,
  notFound,
  refuse,
  relationTo,
  secondsUntil,
  wrongState,
  type TransitionResult,
} from './transition-support.ts';

/** The requester withdraws a pending request. */
export function cancelGrant(
  grant: GrantRecord,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  if (relation !== 'owner')
    return refuse('forbidden', `only the requester can cancel grant ${grant.id}; deny it instead`);
  const status = effectiveStatus(grant, now);
  if (status !== 'pending') {
    return wrongState(
      grant,
      status,
      status === 'active'
        ? 'only a pending request can be cancelled; end it with `hourglass revoke` instead'
        : 'only a pending request can be cancelled',
    );
  }
  const me = keyOf(actor);
  return accept({
    grant: { ...grant, status: 'cancelled', endedAt: now.toISOString(), endedBy: me },
    audit: [{ event: 'cancelled', actor: me, details: {} }],
    effects: [],
    events: [
      { change: 'cancelled', audience: { kind: 'owner' } },
      { change: 'cancelled', audience: approverAudience(grant) },
    ],
  });
}

/** Ends an active grant early: by its owner ("I'm done"), an approver of its role, or an admin. */
export function revokeGrant(
  grant: GrantRecord,
  reason: string | null,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  const status = effectiveStatus(grant, now);
  if (status !== 'active') {
    return wrongState(
      grant,
      status,
      status === 'pending'
        ? 'a pending request is cancelled by its requester or denied by an approver'
        : 'only an active grant can be revoked',
    );
  }
  const unusedSeconds = Math.max(0, secondsUntil(grant.expiresAt, now));
  const me = keyOf(actor);
  return accept({
    grant: {
      ...grant,
      status: 'revoked',
      endedAt: now.toISOString(),
      endedBy: me,
      endReason: reason,
      unusedSeconds,
      pendingExtension: null,
    },
    audit: [{ event: 'revoked', actor: me, details: { by: relation, reason, unusedSeconds } }],
    effects: [{ kind: 'provider', action: 'revoke', grantId: grant.id }],
    events: [
      { change: 'revoked', audience: { kind: 'owner' } },
      { change: 'revoked', audience: approverAudience(grant, policy.admins.groups) },
    ],
  });
}

/** The broker acts on a deadline: an active grant or a pending request expires, an extension lapses. */
export function expireGrant(grant: GrantRecord, actor: Actor, now: Date): TransitionResult {
  if (actor.kind !== 'broker') return refuse('forbidden', 'only the broker expires grants');
  const ended = (deadline: string, was: string): Transitioned => ({
    grant: {
      ...grant,
      status: 'expired',
      endedAt: deadline,
      pendingExtension: null,
    },
    audit: [{ event: 'expired', actor: 'broker', details: { deadline, was } }],
    effects: was === 'active' ? [{ kind: 'provider', action: 'revoke', grantId: grant.id }] : [],
    events: [
      { change: 'expired', audience: { kind: 'owner' } },
      { change: 'expired', audience: approverAudience(grant) },
    ],
  });
  if (grant.status === 'pending' && grant.requestExpiresAt && isPast(grant.requestExpiresAt, now))
    return accept(ended(grant.requestExpiresAt, 'pending'));
  if (grant.status === 'active' && grant.expiresAt && isPast(grant.expiresAt, now))
    return accept(ended(grant.expiresAt, 'active'));
  const lapse = grant.pendingExtension?.expiresAt;
  if (grant.status === 'active' && lapse && isPast(lapse, now)) {
    return accept({
      grant: { ...grant, pendingExtension: null },
      audit: [{ event: 'extension_lapsed', actor: 'broker', details: { deadline: lapse } }],
      effects: [],
      events: [
        { change: 'extension_denied', audience: { kind: 'owner' } },
        { change: 'extension_denied', audience: approverAudience(grant) },
      ],
    });
  }
  return wrongState(grant, effectiveStatus(grant, now), 'nothing about it is due yet');
}
