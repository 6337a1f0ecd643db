/** The `extend` rule: counts from now, within the role's per-extension max and budget. */
import { formatDuration } from '../../protocol/duration.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import type { UserActor } from './transition-types.ts';
import {
  accept,
  approverAudience,
  effectiveStatus,
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

/** Extends an active grant of the caller's to `durationSeconds` from now, or asks approvers to. */
export function extendGrant(
  grant: GrantRecord,
  durationSeconds: number,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  if (relation !== 'owner')
    return refuse('forbidden', `only the owner of grant ${grant.id} can extend it`);
  const status = effectiveStatus(grant, now);
  if (status !== 'active') {
    return wrongState(
      grant,
      status,
      status === 'pending'
        ? 'it has no deadline to extend until it is approved'
        : `only an active grant can be extended; request it again with \`hourglass request ${grant.role}\``,
    );
  }
  const role = roleOf(policy, grant);
  if (!role) return wrongState(grant, status, `role ${grant.role} is no longer in the policy`);
  if (grant.pendingExtension) {
    return refuse(
      'invalid_state',
      `an extension of grant ${grant.id} already waits for approval until ${grant.pendingExtension.expiresAt}`,
    );
  }
  if (durationSeconds > role.maxDuration) {
    return refuse(
      'policy_violation',
      `${role.name} extends by at most ${formatDuration(role.maxDuration)} (${role.maxDuration}s) at a time`,
    );
  }
  const { maxCount, maxTotal, requireApproval } = role.extension;
  if (grant.extensionCount >= maxCount) {
    return refuse(
      'budget_exhausted',
      `grant ${grant.id} used all ${maxCount} extension(s) ${role.name} allows; request the role again when it ends`,
    );
  }
  const leftSeconds = maxTotal - grant.extensionSeconds;
  if (durationSeconds > leftSeconds) {
    return refuse(
      'budget_exhausted',
      `grant ${grant.id} has ${formatDuration(Math.max(0, leftSeconds))} (${Math.max(0, leftSeconds)}s) of extension time left; ask for that or less`,
    );
  }
  const session = secondsUntil(actor.sessionEndsAt, now);
  if (session <= 0)
    return refuse('unauthenticated', 'your sign-in has ended; run `hourglass login`');
  const seconds = Math.min(durationSeconds, session);
  const expiresAt = plusSeconds(now, seconds);
  if (grant.expiresAt && Date.parse(expiresAt) <= Date.parse(grant.expiresAt)) {
    return refuse(
      'policy_violation',
      `grant ${grant.id} already runs for ${formatDuration(secondsUntil(grant.expiresAt, now))} more; an extension counts from now, so ask for longer`,
    );
  }
  const me = keyOf(actor);
  if (requireApproval) {
    const lapse = Math.min(role.approval.requestTtl, secondsUntil(grant.expiresAt, now));
    const pendingExtension = {
      durationSeconds: seconds,
      requestedAt: now.toISOString(),
      expiresAt: plusSeconds(now, lapse),
      approvals: [],
    };
    return accept({
      grant: { ...grant, pendingExtension },
      audit: [
        {
          event: 'extension_requested',
          actor: me,
          details: { seconds, waitsUntil: pendingExtension.expiresAt },
        },
      ],
      effects: [],
      events: [
        { change: 'extension_requested', audience: { kind: 'owner' } },
        { change: 'extension_requested', audience: approverAudience(grant) },
      ],
    });
  }
  return accept({
    grant: {
      ...grant,
      expiresAt,
      extensionCount: grant.extensionCount + 1,
      extensionSeconds: grant.extensionSeconds + seconds,
    },
    audit: [
      {
        event: 'extended',
        actor: me,
        details: { previousExpiresAt: grant.expiresAt, expiresAt, seconds },
      },
    ],
    effects: [{ kind: 'provider', action: 'reissue', grantId: grant.id }],
    events: [
      { change: 'extended', audience: { kind: 'owner' } },
      { change: 'extended', audience: approverAudience(grant) },
    ],
  });
}
