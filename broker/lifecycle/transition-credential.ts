/** Rules about the credential on the device: handing it out, and the receipt that it was wiped. */
import type { WipedBody } from '../../protocol/broker-api.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRecord } from './grant-record.ts';
import type { UserActor } from './transition-types.ts';
import {
  accept,
  effectiveStatus,
  keyOf,
  notFound,
  refuse,
  relationTo,
  roleOf,
  wrongState,
  type TransitionResult,
} from './transition-support.ts';

/** How far ahead of the broker's clock a device's `wipedAt` may be (clock skew). */
export const WIPE_CLOCK_SKEW_SECONDS = 120;

/** The owner fetches the credential of an active grant; the audit records its token id. */
export function issueCredential(
  grant: GrantRecord,
  tokenId: string,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  if (relation !== 'owner')
    return refuse('forbidden', `only the owner of grant ${grant.id} can fetch its credential`);
  const status = effectiveStatus(grant, now);
  if (status !== 'active') {
    return refuse('grant_not_active', `grant ${grant.id} is ${status}; request the role again`);
  }
  const role = roleOf(policy, grant);
  if (!role) return refuse('conflict', `role ${grant.role} is no longer in the policy`);
  return accept({
    // A fresh credential on the device: an earlier wipe receipt no longer covers it.
    grant: { ...grant, credentialIssuedAt: now.toISOString(), wipe: null },
    audit: [
      {
        event: 'credential_issued',
        actor: keyOf(actor),
        details: { jti: tokenId, provider: role.provider.kind, expiresAt: grant.expiresAt },
      },
    ],
    effects: [],
    events: [],
    issuedToken: { tokenId, expiresAt: grant.expiresAt ?? now.toISOString() },
  });
}

/** The owner's device reports it deleted the grant's secret. A repeated receipt changes nothing. */
export function recordWipe(
  grant: GrantRecord,
  receipt: WipedBody,
  policy: Policy,
  actor: UserActor,
  now: Date,
): TransitionResult {
  const relation = relationTo(actor, grant, policy);
  if (relation === 'none') return notFound();
  if (relation !== 'owner') {
    return refuse(
      'forbidden',
      `only the device of grant ${grant.id}'s owner reports that its secret was wiped`,
    );
  }
  if (grant.status === 'pending')
    return wrongState(grant, 'pending', 'no credential was handed out to wipe');
  if (Date.parse(receipt.wipedAt) > now.getTime() + WIPE_CLOCK_SKEW_SECONDS * 1000) {
    return refuse('bad_request', 'wipedAt lies in the future; check the device clock');
  }
  if (grant.wipe) return accept({ grant, audit: [], effects: [], events: [] });
  const wipe = {
    wipedAt: receipt.wipedAt,
    receivedAt: now.toISOString(),
    trigger: receipt.trigger,
    items: [...receipt.items],
  };
  return accept({
    grant: { ...grant, wipe },
    audit: [
      {
        event: 'wiped',
        actor: keyOf(actor),
        details: { wipedAt: wipe.wipedAt, trigger: wipe.trigger, items: wipe.items },
      },
    ],
    effects: [],
    events: [{ change: 'wiped', audience: { kind: 'owner' } }],
  });
}
