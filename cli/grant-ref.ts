/** Resolves a `<role|grant>` argument: an own grant by id, the own active grant of a role, or an id. */
import type { AgentHandlers, LocalGrant, Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';

/** A resolved reference: the grant id, and the grant when it is the caller's own. */
export interface GrantRef {
  grantId: string;
  grant: LocalGrant | null;
}

/** Own grants, fresh from the broker, or what the agent holds when the broker is unreachable. */
export async function ownGrants(agent: AgentHandlers): Promise<Result<LocalGrant[]>> {
  const listed = await agent.listGrants({});
  if (listed.ok) return ok(listed.value.grants);
  const snapshot = await agent.getSnapshot({});
  return snapshot.ok ? ok(snapshot.value.grants) : listed;
}

/** Which grant `ref` names; `statuses` are the states the command acts on for a role name. */
export async function resolveGrantRef(
  agent: AgentHandlers,
  ref: string,
  statuses: readonly LocalGrant['status'][],
): Promise<Result<GrantRef>> {
  const grants = await ownGrants(agent);
  if (!grants.ok) return grants;
  const byId = grants.value.find((g) => g.id === ref);
  if (byId) return ok({ grantId: byId.id, grant: byId });
  const byRole = grants.value
    .filter((g) => g.role === ref && statuses.includes(g.status))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
  if (byRole) return ok({ grantId: byRole.id, grant: byRole });
  const roles = await agent.listRoles({});
  if (roles.ok && roles.value.roles.some((r) => r.name === ref)) {
    return fail(
      'grant_not_active',
      `You have no ${statuses.join(' or ')} ${ref} grant; request one with \`hourglass request ${ref} --for <duration> --reason <text>\``,
    );
  }
  // Not an own grant nor a role: another user's grant id (an approver revoking it); the broker decides.
  return ok({ grantId: ref, grant: null });
}
