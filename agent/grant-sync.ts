/**
 * Resync and live events: the broker's grants and approvals into the snapshot, and this device's
 * secrets brought in line (fetched on approval, replaced on extension, wiped on revocation).
 */
import type { BrokerEvent, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { GrantDeps } from './grant-deps.ts';
import { reconcileGrant } from './grant-credentials.ts';

/** Refreshes the approvals waiting for the caller. Not an approver: an empty list. */
export async function refreshApprovals(deps: GrantDeps): Promise<Result<void>> {
  const listed = await deps.broker.listApprovals();
  if (!listed.ok) return listed;
  deps.hub.setApprovals(listed.value.approvals);
  deps.hub.changed();
  return ok(undefined);
}

/** Full resync: own grants (each reconciled), approvals, and queued wipe receipts. */
export async function syncWithBroker(deps: GrantDeps): Promise<Result<void>> {
  const listed = await deps.broker.listGrants();
  if (!listed.ok) return listed;
  const me = deps.user.cached();
  const own = listed.value.grants.filter((g) => !me || g.subject === me.subject);
  deps.hub.setBrokerGrants(own);
  for (const grant of own) await reconcileGrant(deps, grant, null);
  await refreshApprovals(deps);
  await deps.receipts.flush();
  deps.hub.changed();
  return ok(undefined);
}

/** Acts on one event from the broker's stream. */
export async function applyBrokerEvent(deps: GrantDeps, event: BrokerEvent): Promise<void> {
  if (event.audience === 'approver') {
    await refreshApprovals(deps);
    return;
  }
  const me = deps.user.cached();
  if (me && event.grant.subject !== me.subject) return;
  deps.hub.upsertBrokerGrant(event.grant);
  deps.hub.changed();
  await reconcileGrant(deps, event.grant, event.change);
  deps.hub.changed();
}
