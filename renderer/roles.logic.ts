/** Which role the request form starts on, and the Roles search. Pure. */
import type { LocalGrant } from '../protocol/agent-api.ts';
import type { RoleSummary } from '../protocol/broker-api.ts';

/**
 * The role the form starts on: the one the user asked for most recently (still eligible), else
 * the least privileged — no approval needed, then the shortest maximum. Never just the first
 * name in the alphabet. Empty when there are no roles.
 */
export function defaultRole(roles: readonly RoleSummary[], grants: readonly LocalGrant[]): string {
  const eligible = new Set(roles.map((r) => r.name));
  const recent = [...grants]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .find((g) => eligible.has(g.role));
  if (recent) return recent.role;
  const least = [...roles].sort(
    (a, b) =>
      a.approvalsRequired - b.approvalsRequired ||
      a.maxDurationSeconds - b.maxDurationSeconds ||
      a.name.localeCompare(b.name),
  )[0];
  return least?.name ?? '';
}

/** Roles whose name, description, provider or approver groups contain every word of `query`. */
export function rolesMatching(roles: readonly RoleSummary[], query: string): RoleSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...roles];
  return roles.filter((role) => {
    const haystack = [role.name, role.description, role.provider, ...role.approverGroups]
      .join(' ')
      .toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}
