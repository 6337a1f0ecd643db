/**
 * The alarm for access the broker could not take away: a revocation (or expiry) effect that kept
 * failing at the target past the bound. The grant is already ended; the alarm is an audit record
 * and an event to the owner and the role's approvers and admins. The outbox keeps retrying.
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

/** Records that the target still holds access for an ended grant (broker only). */
export function targetIrrevocable(
  grant: GrantRecord,
  alarm: TargetAlarm,
  policy: Policy,
  actor: Actor,
): TransitionResult {
  if (actor.kind !== 'broker') return refuse('forbidden', 'only the broker raises target alarms');
  return accept({
    grant,
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
