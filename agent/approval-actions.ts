/** `listApprovals`, `approveGrant`, `denyGrant`: an approver's decisions, passed to the broker. */
import type { AgentHandlers, Grant, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { GrantDeps } from './grant-deps.ts';
import { refreshApprovals } from './grant-sync.ts';
import { toLocalGrant } from './snapshot-merge.ts';

type ApprovalHandlers = Pick<AgentHandlers, 'listApprovals' | 'approveGrant' | 'denyGrant'>;

async function decided(deps: GrantDeps, result: Result<{ grant: Grant }>) {
  if (!result.ok) return result;
  await refreshApprovals(deps);
  return ok({ grant: toLocalGrant(result.value.grant, undefined) });
}

/** Creates the approval handlers. */
export function createApprovalHandlers(deps: GrantDeps): ApprovalHandlers {
  return {
    async listApprovals() {
      const listed = await deps.broker.listApprovals();
      if (!listed.ok) return listed;
      deps.hub.setApprovals(listed.value.approvals);
      deps.hub.changed();
      return ok({ now: listed.value.now, approvals: listed.value.approvals });
    },
    async approveGrant({ grantId, comment }) {
      const body = comment === undefined ? {} : { comment };
      return decided(deps, await deps.broker.approveGrant(grantId, body));
    },
    async denyGrant({ grantId, comment }) {
      const body = comment === undefined ? {} : { comment };
      return decided(deps, await deps.broker.denyGrant(grantId, body));
    },
  };
}
