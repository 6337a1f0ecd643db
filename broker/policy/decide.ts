/** Pure policy decisions: which roles a caller may see, and what a request turns into. */
import type { CreateRequestBody, RoleSummary } from '../../protocol/broker-api.ts';
import { formatDuration } from '../../protocol/duration.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { unsafeCharacter } from '../../protocol/plain-text.ts';
import type { Policy, PolicyRole } from './policy-schema.ts';

/** The caller as far as policy cares. `sessionEndsAt`: end of the IdP session, where known. */
export interface PolicyCaller {
  subject: string;
  /** The token's issuer, for roles that require one. */
  issuer?: string;
  groups: readonly string[];
  sessionEndsAt?: Date;
}

/** What an accepted request becomes. */
export interface GrantPlan {
  role: PolicyRole;
  status: 'active' | 'pending';
  requestedSeconds: number;
  grantedSeconds: number;
  activatedAt: Date | null;
  expiresAt: Date | null;
  /** For a pending request: when it expires unapproved. */
  requestExpiresAt: Date | null;
}

/** The outcome of a request decision. */
export type RequestDecision =
  { status: 'grant'; plan: GrantPlan } | { status: 'error'; code: ErrorCode; message: string };

/** Whether any of `groups` is one of `allowed`. */
export function inAnyGroup(groups: readonly string[], allowed: readonly string[]): boolean {
  return allowed.some((group) => groups.includes(group));
}

/** At least one letter, digit, punctuation mark or symbol: a zero-width space alone is no reason. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Whether a caller with `groups` may request `role`. */
export function isEligible(role: PolicyRole, groups: readonly string[]): boolean {
  return role.eligible.groups.some((group) => groups.includes(group));
}

/** The roles a caller may request. */
export function eligibleRoles(policy: Policy, groups: readonly string[]): PolicyRole[] {
  return policy.roles.filter((role) => isEligible(role, groups));
}

/** The policy of a role as shown to a caller before asking. */
export function summarizeRole(role: PolicyRole, tenant: string): RoleSummary {
  return {
    tenant,
    extension: {
      maxCount: role.extension.maxCount,
      maxTotalSeconds: role.extension.maxTotal,
      requiresApproval: role.extension.requireApproval,
    },
    name: role.name,
    description: role.description,
    provider: role.provider.kind,
    maxDurationSeconds: role.maxDuration,
    approvalsRequired: role.approval.required,
    approverGroups: [...role.approval.from],
    reasonRequired: role.reason.required,
    ...(role.ticketPattern !== undefined ? { ticketPattern: role.ticketPattern } : {}),
  };
}

/** Finds an eligible role by name; ineligible and unknown roles look the same (no existence leak). */
export function findEligibleRole(
  policy: Policy,
  groups: readonly string[],
  name: string,
): PolicyRole | undefined {
  return eligibleRoles(policy, groups).find((role) => role.name === name);
}

const violation = (message: string): RequestDecision => ({
  status: 'error',
  code: 'policy_violation',
  message,
});

/**
 * The whole ticket must match the policy's pattern, anchored here whether or not the author
 * anchored it: `INC-[0-9]+` must not accept "nope, not INC-1".
 */
export function ticketMatches(pattern: string, ticket: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(ticket);
}

/** Decides a request: a grant plan, or a closed error saying what to change. */
export function decideRequest(
  policy: Policy,
  caller: PolicyCaller,
  body: CreateRequestBody,
  now: Date,
): RequestDecision {
  const found = findEligibleRole(policy, caller.groups, body.role);
  // A role that requires an issuer is not there for callers signed in elsewhere.
  const role = found?.issuer && found.issuer !== caller.issuer ? undefined : found;
  if (!role) {
    return {
      status: 'error',
      code: 'not_found',
      message: `no role named "${body.role}" is available to you; run \`hourglass roles\` to see yours`,
    };
  }
  if (body.durationSeconds > role.maxDuration) {
    return violation(
      `${role.name} allows at most ${formatDuration(role.maxDuration)} (${role.maxDuration}s); ask for that or less`,
    );
  }
  // Control and bidi-formatting characters can hide or reorder what a reviewer reads.
  // The contract refuses them already (protocol/plain-text.ts); this rule holds without it too.
  const reason = body.reason ?? '';
  const hidden = unsafeCharacter(reason, true);
  if (hidden !== null) {
    return violation(
      `the reason contains ${hidden}, a control or text-direction character; write it as plain text`,
    );
  }
  if (role.reason.required && !VISIBLE.test(reason)) {
    return violation(`${role.name} needs a reason; say why you need access (\`--reason <text>\`)`);
  }
  if (role.ticketPattern !== undefined && !ticketMatches(role.ticketPattern, body.ticket ?? '')) {
    return violation(`${role.name} needs a ticket matching ${role.ticketPattern}`);
  }
  const sessionSeconds = caller.sessionEndsAt
    ? Math.floor((caller.sessionEndsAt.getTime() - now.getTime()) / 1000)
    : Infinity;
  const grantedSeconds = Math.min(body.durationSeconds, role.maxDuration, sessionSeconds);
  if (grantedSeconds <= 0) {
    return {
      status: 'error',
      code: 'unauthenticated',
      message: 'your sign-in has ended; run `hourglass login`',
    };
  }
  const active = role.approval.required === 0;
  // A request waits no longer than the requester's sign-in lasts (SECURITY 14).
  const requestTtl = Math.min(role.approval.requestTtl, sessionSeconds);
  return {
    status: 'grant',
    plan: {
      role,
      status: active ? 'active' : 'pending',
      requestedSeconds: body.durationSeconds,
      grantedSeconds,
      activatedAt: active ? now : null,
      expiresAt: active ? new Date(now.getTime() + grantedSeconds * 1000) : null,
      requestExpiresAt: active ? null : new Date(now.getTime() + requestTtl * 1000),
    },
  };
}
