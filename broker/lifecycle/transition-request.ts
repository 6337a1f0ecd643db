/** The `request` rule: a new grant from a request body, active at once or pending approval. */
import { formatDuration } from '../../protocol/duration.ts';
import { decideRequest } from '../policy/decide.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import type { GrantCommand, Transitioned, UserActor } from './transition-types.ts';
import {
  accept,
  approverAudience,
  keyOf,
  refuse,
  secondsUntil,
  type TransitionResult,
} from './transition-support.ts';

type RequestCommand = Extract<GrantCommand, { kind: 'request' }>;

/** Decides a request; a second request for a role the caller holds is refused with that grant. */
export function requestGrant(
  command: RequestCommand,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const { body, live } = command;
  const decision = decideRequest(
    policy,
    {
      subject: actor.subject,
      issuer: actor.issuer,
      groups: actor.groups,
      ...(actor.sessionEndsAt ? { sessionEndsAt: actor.sessionEndsAt } : {}),
    },
    body,
    now,
  );
  if (decision.status === 'error') return refuse(decision.code, decision.message);
  if (live?.status === 'active' && live.expiresAt) {
    const left = Math.max(0, secondsUntil(live.expiresAt, now));
    return refuse(
      'already_active',
      `you already hold ${live.role} (grant ${live.id}) for ${formatDuration(left)} more; extend it with \`hourglass extend ${live.role}\``,
      { grantId: live.id, expiresAt: live.expiresAt },
    );
  }
  if (live?.status === 'pending') {
    return refuse(
      'conflict',
      `you already asked for ${live.role} (grant ${live.id}) and it waits for approval; wait, or withdraw it with \`hourglass cancel ${live.id}\``,
    );
  }
  const { plan } = decision;
  const grant: GrantRecord = {
    id: command.id,
    tenant: command.tenant,
    role: plan.role.name,
    issuer: actor.issuer,
    subject: actor.subject,
    requesterName: actor.name,
    provider: plan.role.provider.kind,
    status: plan.status,
    reason: body.reason ?? '',
    ticket: body.ticket ?? null,
    requestedSeconds: plan.requestedSeconds,
    grantedSeconds: plan.grantedSeconds,
    createdAt: now.toISOString(),
    activatedAt: plan.activatedAt?.toISOString() ?? null,
    expiresAt: plan.expiresAt?.toISOString() ?? null,
    endedAt: null,
    requestExpiresAt: plan.requestExpiresAt?.toISOString() ?? null,
    sessionEndsAt: actor.sessionEndsAt?.toISOString() ?? null,
    approvalsRequired: plan.role.approval.required,
    // A break-glass grant's "approvers" are the groups told of it: they see it live and may revoke.
    approverGroups: [...(plan.role.breakGlass?.notify ?? plan.role.approval.from)],
    approvals: [],
    endedBy: null,
    endReason: null,
    unusedSeconds: null,
    extensionCount: 0,
    extensionSeconds: 0,
    pendingExtension: null,
    wipe: null,
    credentialIssuedAt: null,
    irrevocableAt: null,
    idempotencyKey: command.idempotencyKey,
    version: 0,
  };
  const actorName = keyOf(actor);
  const result: Transitioned = {
    grant,
    audit: [
      {
        event: 'requested',
        actor: actorName,
        details: {
          reason: grant.reason,
          ticket: grant.ticket,
          requestedSeconds: grant.requestedSeconds,
          grantedSeconds: grant.grantedSeconds,
          status: grant.status,
        },
      },
    ],
    effects: [],
    events: [],
  };
  if (grant.status === 'active') {
    result.audit.push({
      event: 'activated',
      actor: actorName,
      details: { expiresAt: grant.expiresAt },
    });
    result.effects.push({ kind: 'provider', action: 'issue', grantId: grant.id });
    result.events.push({ change: 'activated', audience: { kind: 'owner' } });
    if (plan.role.breakGlass) flagBreakGlass(result, actorName);
  } else {
    result.events.push({ change: 'requested', audience: { kind: 'owner' } });
    result.events.push({ change: 'approval_needed', audience: approverAudience(grant) });
  }
  return accept(result);
}

/** Break glass: a record of its own for the review, and the activation pushed to the notify groups. */
function flagBreakGlass(result: Transitioned, actorName: string): void {
  const { grant } = result;
  result.audit.push({
    event: 'break_glass',
    actor: actorName,
    details: { reason: grant.reason, ticket: grant.ticket, notify: grant.approverGroups },
  });
  result.events.push({ change: 'activated', audience: approverAudience(grant) });
}
