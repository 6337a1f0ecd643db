/** `requestGrant`: asks the broker; an active grant's credential goes straight to the keychain. */
import { randomUUID } from 'node:crypto';
import type { AgentHandlers } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { fetchCredential } from './grant-credentials.ts';
import type { GrantDeps } from './grant-deps.ts';
import { toLocalGrant } from './snapshot-merge.ts';

/** Creates the `requestGrant` handler. */
export function createRequestHandler(deps: GrantDeps): AgentHandlers['requestGrant'] {
  return async (input) => {
    // One key per request: a retry after a lost answer gets the grant the broker already made.
    const key = randomUUID();
    let created = await deps.broker.createRequest(input, key);
    if (!created.ok && created.error.code === 'broker_unreachable') {
      created = await deps.broker.createRequest(input, key);
    }
    // `already_active` keeps its grantId: the client offers Extend instead of a duplicate.
    if (!created.ok) return created;
    const { grant } = created.value;
    deps.hub.upsertBrokerGrant(grant);
    deps.hub.changed();
    if (grant.status !== 'active') return ok({ grant: toLocalGrant(grant, undefined) });
    const kept = await fetchCredential(deps, grant);
    deps.hub.changed();
    if (!kept.ok) {
      return fail(
        kept.error.code,
        `Grant ${grant.id} is active but its credential was not kept: ${kept.error.message}`,
      );
    }
    return ok({ grant: toLocalGrant({ ...grant, expiresAt: kept.value.expiresAt }, kept.value) });
  };
}
