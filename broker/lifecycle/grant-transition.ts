/**
 * The one place that knows the grant lifecycle rules: a pure function from (grant, command,
 * policy, caller, now) to the new grant with its audit records, effects and events — or a refusal
 * naming the rule. No I/O; table-tested with an injected clock.
 */
import { assertNever } from '../../protocol/errors.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import { targetIrrevocable, targetRevoked } from './transition-alarm.ts';
import { issueCredential, recordWipe } from './transition-credential.ts';
import { approveGrant, denyGrant } from './transition-decide.ts';
import { cancelGrant, expireGrant, revokeGrant } from './transition-end.ts';
import { extendGrant } from './transition-extend.ts';
import { requestGrant } from './transition-request.ts';
import { refuse, type TransitionResult } from './transition-support.ts';
import type { Actor, GrantCommand } from './transition-types.ts';

export type { TransitionResult, TransitionFailure } from './transition-support.ts';

/** Applies `command` to `grant` (null only for `request`) as `actor` at `now`. */
export function transition(
  grant: GrantRecord | null,
  command: GrantCommand,
  policy: Policy,
  actor: Actor,
  now: Date,
): TransitionResult {
  if (command.kind === 'request') {
    if (actor.kind !== 'user') return refuse('forbidden', 'only a signed-in user requests a grant');
    return requestGrant(command, policy, actor, now);
  }
  if (!grant) return refuse('not_found', 'no such grant; run `hourglass status` to list yours');
  if (command.kind === 'expire') return expireGrant(grant, actor, now);
  if (command.kind === 'targetIrrevocable')
    return targetIrrevocable(grant, command, policy, actor, now);
  if (command.kind === 'targetRevoked') return targetRevoked(grant, command, policy, actor);
  if (actor.kind !== 'user')
    return refuse('forbidden', `the broker does not ${command.kind} grants`);
  switch (command.kind) {
    case 'approve':
      return approveGrant(grant, command.comment, policy, actor, now);
    case 'deny':
      return denyGrant(grant, command.comment, policy, actor, now);
    case 'cancel':
      return cancelGrant(grant, policy, actor, now);
    case 'extend':
      return extendGrant(
        grant,
        command.durationSeconds,
        policy,
        actor,
        now,
        command.reason ?? null,
      );
    case 'revoke':
      return revokeGrant(grant, command.reason, policy, actor, now);
    case 'recordWipe':
      return recordWipe(grant, command.receipt, policy, actor, now);
    case 'issueCredential':
      return issueCredential(grant, command.tokenId, policy, actor, now);
    default:
      return assertNever(command);
  }
}
