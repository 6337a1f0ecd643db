/**
 * The alarm for access the broker could not take away: a revocation (or expiry) effect that kept
 * failing at the target past the bound. The grant is already ended; it is marked `irrevocableAt`
 * (shown loudly by every client, counted in /metrics), with an audit record and an event to the
 * owner and the role's approvers and admins. The outbox keeps retrying; when a retry finally
 * succeeds the mark is cleared, audited and announced the same way.
 */
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import { accept, approverAudience, refuse, type TransitionResult } from './transition-support.ts';
import type { Actor } from './transition-types.ts';

/** Details of the failing effect. */
export interface TargetAlarm {
  attempts: number;
  error: string;
}

/** Marks an ended grant whose target still holds access (broker only). */
export function targetIrrevocable(
  grant: GrantRecord,
  alarm: TargetAlarm,
  policy: Policy,
  actor: Actor,
  now: Date,
): TransitionResult {
  if (actor.kind !== 'broker') return refuse('forbidden', 'only the broker raises target alarms');
  return accept({
    grant: { ...grant, irrevocableAt: grant.irrevocableAt ?? now.toISOString() },
    audit: [
      {
        event: 'target_irrevocable',
        actor: 'broker',
        details: { provider: grant.provider, attempts: alarm.attempts, error: alarm.error },
      },
    ],
    effects: [],
    events: [
      { change: 'irrevocable', audience: { kind: 'owner' } },
      { change: 'irrevocable', audience: approverAudience(grant, policy.admins.groups) },
    ],
  });
}

/** Clears the mark once a retry removed the access at the target (broker only). */
export function targetRevoked(
  grant: GrantRecord,
  done: { attempts: number },
  policy: Policy,
  actor: Actor,
): TransitionResult {
  if (actor.kind !== 'broker') return refuse('forbidden', 'only the broker ends target alarms');
  if (grant.irrevocableAt === null)
    return refuse('conflict', `grant ${grant.id} is not marked irrevocable`);
  return accept({
    grant: { ...grant, irrevocableAt: null },
    audit: [
      {
        event: 'target_revoked_late',
        actor: 'broker',
        details: { provider: grant.provider, attempts: done.attempts, since: grant.irrevocableAt },
      },
    ],
    effects: [],
    events: [
      { change: 'target_revoked', audience: { kind: 'owner' } },
      { change: 'target_revoked', audience: approverAudience(grant, policy.admins.groups) },
    ],
  });
}
