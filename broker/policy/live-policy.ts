/**
 * The policy the broker serves, reloadable while it runs (SIGHUP, or a change of the file: see
 * policy-watch.ts): a new file is parsed and checked in full first; anything wrong leaves the old
 * policy in force and says why.
 */
import { loadPolicyFile } from './load-policy.ts';
import type { Policy } from './policy-schema.ts';

/** Outcome of a reload. */
export type PolicyReload =
  { status: 'reloaded'; roles: number } | { status: 'refused'; message: string };

/** A policy holder: `current` is read on every decision. */
export interface LivePolicy {
  readonly current: Policy;
  reload(): Promise<PolicyReload>;
}

const providersOf = (policy: Policy): string =>
  JSON.stringify(
    [...policy.roles].sort((a, b) => a.name.localeCompare(b.name)).map((r) => [r.name, r.provider]),
  );

/** What a running broker cannot take from a reload: another tenant, changed provider settings. */
function unsafeChange(next: Policy, current: Policy): string | null {
  if (next.tenant !== current.tenant)
    return `the tenant changed (${current.tenant} → ${next.tenant}); this file is tenant ${current.tenant}'s policy (serve another tenant from its own policy file, or restart)`;
  if (providersOf(next) !== providersOf(current))
    return 'roles or their provider settings changed; restart the broker to apply them';
  return null;
}

/** Holds `initial` (read from `path`) and reloads from `path` on demand. */
export function livePolicy(path: string, initial: Policy): LivePolicy {
  let current = initial;
  return {
    get current() {
      return current;
    },
    async reload() {
      const parsed = await loadPolicyFile(path);
      if (parsed.status === 'error') return { status: 'refused', message: parsed.message };
      const unsafe = unsafeChange(parsed.policy, current);
      if (unsafe) return { status: 'refused', message: `${path}: ${unsafe}` };
      current = parsed.policy;
      return { status: 'reloaded', roles: current.roles.length };
    },
  };
}
