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

/**
 * An extension must move the deadline by at least this much: one that moves it less (asked twice
 * in a row, or capped by the sign-in) is refused and uses none of the budget.
 */
export const MIN_EXTENSION_MOVE_SECONDS = 60;

/** Seconds from deadline `from` to deadline `to` (a grant without a deadline never moves). */
export function secondsBetween(from: string | null, to: string): number {
  if (from === null) return 0;
  return Math.floor((Date.parse(to) - Date.parse(from)) / 1000);
}

/** Why an extension that would not move the deadline (enough) is refused. */
export function noMoveMessage(
  grant: GrantRecord,
  now: Date,
  sessionEndsAt: Date | string | null,
): string {
  const left = formatDuration(Math.max(0, secondsUntil(grant.expiresAt, now)));
  const cause = sessionEndsAt
    ? `the requester's sign-in ends at ${new Date(sessionEndsAt).toISOString()} and a grant never outlives it; sign in again first`
    : 'an extension sets the deadline to this long from now, so ask for longer';
  return `grant ${grant.id} already runs for ${left} more and this extension would not move its deadline (by at least ${MIN_EXTENSION_MOVE_SECONDS}s): ${cause}; no extension was used`;
}

/** Extends an active grant of the caller's to `durationSeconds` from now, or asks approvers to. */
export function extendGrant(
  grant: GrantRecord,
  durationSeconds: number,
  policy: Policy,
  actor: UserActor,
  now: Date,
  reason: string | null = null,
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
  const leftSeconds = Math.max(0, maxTotal - grant.extensionSeconds);
  const session = secondsUntil(actor.sessionEndsAt, now);
  if (session <= 0)
    return refuse('unauthenticated', 'your sign-in has ended; run `hourglass login`');
  const seconds = Math.min(durationSeconds, session);
  const expiresAt = plusSeconds(now, seconds);
  // The budget is charged with how far the deadline moves, never with the duration asked for:
  // an extension counts from now, so asking twice in a row moves the deadline only a little.
  const moved = secondsBetween(grant.expiresAt, expiresAt);
  if (moved < MIN_EXTENSION_MOVE_SECONDS) {
    return refuse(
      'policy_violation',
      noMoveMessage(grant, now, seconds < durationSeconds ? actor.sessionEndsAt : null),
    );
  }
  if (moved > leftSeconds) {
    const most = Math.max(0, secondsUntil(grant.expiresAt, now)) + leftSeconds;
    return refuse(
      'budget_exhausted',
      `grant ${grant.id} has ${formatDuration(leftSeconds)} (${leftSeconds}s) of extension time left, so its deadline can be at most ${formatDuration(most)} (${most}s) from now; ask for that or less`,
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
          details: { seconds, waitsUntil: pendingExtension.expiresAt, reason },
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
      extensionSeconds: grant.extensionSeconds + moved,
    },
    audit: [
      {
        event: 'extended',
        actor: me,
        details: { previousExpiresAt: grant.expiresAt, expiresAt, seconds, moved, reason },
      },
    ],
    effects: [{ kind: 'provider', action: 'reissue', grantId: grant.id }],
    events: [
      { change: 'extended', audience: { kind: 'owner' } },
      { change: 'extended', audience: approverAudience(grant) },
    ],
  });
}
