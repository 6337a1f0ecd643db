/** Shared pieces of the transition rules: failures, who the caller is to a grant, time helpers. */
import type { GrantStatus } from '../../protocol/broker-api.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { inAnyGroup } from '../policy/decide.ts';
import type { Policy, PolicyRole } from '../policy/policy-schema.ts';
import { actorKey, type GrantRecord } from './grant-record.ts';
import type { Transitioned, UserActor } from './transition-types.ts';

/** A refused transition: a closed code and a message naming the rule and what to do next. */
export interface TransitionFailure {
  code: ErrorCode;
  message: string;
  /** For `already_active`: the grant the caller holds, and when it ends. */
  grantId?: string;
  expiresAt?: string;
}

/** The outcome of a transition. */
export type TransitionResult =
  { ok: true; value: Transitioned } | { ok: false; error: TransitionFailure };

/** Builds a refusal. */
export const refuse = (
  code: ErrorCode,
  message: string,
  extra: { grantId?: string; expiresAt?: string } = {},
): TransitionResult => ({ ok: false, error: { code, message, ...extra } });

/** Builds a success. */
export const accept = (value: Transitioned): TransitionResult => ({ ok: true, value });

/** How the caller stands to a grant. `none`: they may not even know it exists. */
export type Relation = 'owner' | 'approver' | 'admin' | 'none';

/** The caller's relation to `grant`: owner first, then approver of its role, then policy admin. */
export function relationTo(actor: UserActor, grant: GrantRecord, policy: Policy): Relation {
  if (actor.issuer === grant.issuer && actor.subject === grant.subject) return 'owner';
  if (inAnyGroup(actor.groups, grant.approverGroups)) return 'approver';
  if (inAnyGroup(actor.groups, policy.admins.groups)) return 'admin';
  return 'none';
}

/** The answer for a grant the caller may not see: the same as for an unknown id (no existence leak). */
export const notFound = (): TransitionResult =>
  refuse('not_found', 'no such grant visible to you; run `hourglass status` to list yours');

/** The status a grant has at `now`, counting deadlines the scheduler has not acted on yet. */
export function effectiveStatus(grant: GrantRecord, now: Date): GrantStatus {
  if (grant.status === 'active' && grant.expiresAt && Date.parse(grant.expiresAt) <= now.getTime())
    return 'expired';
  if (
    grant.status === 'pending' &&
    grant.requestExpiresAt &&
    Date.parse(grant.requestExpiresAt) <= now.getTime()
  )
    return 'expired';
  return grant.status;
}

/** `invalid_state` naming the grant's state. */
export const wrongState = (grant: GrantRecord, status: GrantStatus, hint: string) =>
  refuse('invalid_state', `grant ${grant.id} (${grant.role}) is ${status}; ${hint}`);

/** Whole seconds from `now` until `at`, or Infinity when `at` is null. */
export const secondsUntil = (at: Date | string | null, now: Date): number =>
  at === null ? Infinity : Math.floor((new Date(at).getTime() - now.getTime()) / 1000);

/** Whether the instant `at` is at or before `now`. */
export const isPast = (at: string, now: Date): boolean => Date.parse(at) <= now.getTime();

/** `now` plus `seconds`, ISO. */
export const plusSeconds = (now: Date, seconds: number): string =>
  new Date(now.getTime() + seconds * 1000).toISOString();

/** The grant's role in the current policy. */
export const roleOf = (policy: Policy, grant: GrantRecord): PolicyRole | undefined =>
  policy.roles.find((role) => role.name === grant.role);

/** The audit/approval name of the caller. */
export const keyOf = (actor: UserActor): string => actorKey(actor);

/** The approver-audience groups of a grant (plus admins for revocations). */
export const approverAudience = (grant: GrantRecord, extra: readonly string[] = []) => ({
  kind: 'approver' as const,
  groups: [...new Set([...grant.approverGroups, ...extra])],
});
