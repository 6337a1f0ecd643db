/** `listGrants`, `extendGrant`, `revokeGrant` ("I'm done"), `cancelGrant`: broker first, then the device. */
import type { AgentHandlers, Grant, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import { fetchCredential, wipeGrant } from './grant-credentials.ts';
import type { GrantDeps } from './grant-deps.ts';
import { syncWithBroker } from './grant-sync.ts';
import { holdsSecret, toLocalGrant } from './snapshot-merge.ts';

type LifecycleHandlers = Pick<
  AgentHandlers,
  'listGrants' | 'extendGrant' | 'revokeGrant' | 'cancelGrant'
>;

function answer(deps: GrantDeps, grant: Grant) {
  deps.hub.changed();
  return ok({ grant: toLocalGrant(grant, deps.store.get(grant.id)) });
}

async function afterBroker(
  deps: GrantDeps,
  result: Result<{ grant: Grant }>,
  then: (grant: Grant) => Promise<void>,
) {
  if (!result.ok) return result;
  const { grant } = result.value;
  const me = deps.user.cached();
  const own = me === null || grant.subject === me.subject;
  if (own) deps.hub.upsertBrokerGrant(grant);
  if (own) await then(grant);
  return answer(deps, grant);
}

/** Creates the lifecycle handlers. */
export function createLifecycleHandlers(deps: GrantDeps): LifecycleHandlers {
  return {
    async listGrants() {
      const synced = await syncWithBroker(deps);
      if (!synced.ok) return synced;
      const snapshot = deps.hub.current();
      return ok({ now: snapshot.now, grants: snapshot.grants });
    },

    async extendGrant({ grantId, durationSeconds, reason }) {
      const extended = await deps.broker.extendGrant(
        grantId,
        reason === undefined ? { durationSeconds } : { durationSeconds, reason },
      );
      return afterBroker(deps, extended, async (grant) => {
        // Re-issued with the new deadline: the keychain item is replaced, the deadline re-armed.
        if (grant.status === 'active' && holdsSecret(deps.store.get(grantId)))
          await fetchCredential(deps, grant);
      });
    },

    async revokeGrant({ grantId, reason }) {
      const revoked = await deps.broker.revokeGrant(
        grantId,
        reason === undefined ? {} : { reason },
      );
      return afterBroker(deps, revoked, async (grant) => {
        if (holdsSecret(deps.store.get(grant.id))) await wipeGrant(deps, grant.id, 'done');
      });
    },

    async cancelGrant({ grantId }) {
      const cancelled = await deps.broker.cancelGrant(grantId);
      return afterBroker(deps, cancelled, () => Promise.resolve());
    },
  };
}
