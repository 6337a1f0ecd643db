/** Read routes: who am I, my roles, my grants, one grant, what waits for my decision. */
import type { PendingApproval } from '../../../protocol/broker-api.ts';
import { eligibleRoles, summarizeRole } from '../../policy/decide.ts';
import type { GrantRecord } from '../../lifecycle/grant-record.ts';
import { actorKey } from '../../lifecycle/grant-record.ts';
import { effectiveStatus, isPast, relationTo } from '../../lifecycle/transition-support.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import type { ContractHandlers, JsonMethod } from '../contract-route.ts';
import { BrokerHttpError } from '../http-error.ts';

const LIST_LIMIT = 500;

/** 404 for unknown grants and grants the caller may not see alike (no existence leak). */
export const grantNotFound = () =>
  new BrokerHttpError(
    'not_found',
    'no such grant visible to you; run `hourglass status` to list yours',
  );

type Handlers = Pick<
  ContractHandlers,
  Extract<JsonMethod, 'getMe' | 'listRoles' | 'listGrants' | 'getGrant' | 'listApprovals'>
>;

/** Handlers of the read routes. */
export function readRoutes(deps: BrokerDeps): Handlers {
  const now = () => deps.clock.now().toISOString();
  return {
    getMe: ({ caller }) => Promise.resolve({ now: now(), me: caller }),
    listRoles: ({ caller }) =>
      Promise.resolve({
        now: now(),
        roles: eligibleRoles(deps.policy, caller.groups).map((role) =>
          summarizeRole(role, deps.policy.tenant),
        ),
      }),
    listGrants: async ({ caller }) => {
      await deps.expireDue();
      const grants = await deps.repo.listOwned(caller, LIST_LIMIT);
      const at = deps.clock.now();
      return { now: at.toISOString(), grants: grants.map((g) => deps.service.view(g, at)) };
    },
    // Owner, approvers of the grant's role and policy admins may read it; anyone else gets 404.
    getGrant: async ({ actor, params }) => {
      await deps.expireDue();
      const grant = await deps.repo.findGrant(params.id);
      if (!grant || relationTo(actor, grant, deps.policy) === 'none') throw grantNotFound();
      const at = deps.clock.now();
      return { now: at.toISOString(), grant: deps.service.view(grant, at) };
    },
    listApprovals: async ({ actor }) => {
      await deps.expireDue();
      const at = deps.clock.now();
      const me = actorKey(actor);
      const waiting = await deps.repo.listAwaitingDecision(actor.groups, LIST_LIMIT);
      const approvals = waiting
        .filter((g) => relationTo(actor, g, deps.policy) === 'approver')
        .flatMap((g) => awaiting(g, me, at))
        .map((a) => ({ ...a, grant: deps.service.view(a.grant, at) }));
      return { now: at.toISOString(), approvals };
    },
  };
}

/** What of `grant` waits for `me` to decide: the request or its extension (not once I approved). */
function awaiting(
  grant: GrantRecord,
  me: string,
  now: Date,
): (Omit<PendingApproval, 'grant'> & { grant: GrantRecord })[] {
  const status = effectiveStatus(grant, now);
  if (status === 'pending' && grant.requestExpiresAt) {
    if (grant.approvals.some((a) => a.by === me)) return [];
    return [
      {
        kind: 'request',
        grant,
        durationSeconds: grant.requestedSeconds,
        waitsUntil: grant.requestExpiresAt,
      },
    ];
  }
  const extension = grant.pendingExtension;
  if (status === 'active' && extension && !isPast(extension.expiresAt, now)) {
    if (extension.approvals.some((a) => a.by === me)) return [];
    return [
      {
        kind: 'extension',
        grant,
        durationSeconds: extension.durationSeconds,
        waitsUntil: extension.expiresAt,
      },
    ];
  }
  return [];
}
