/**
 * Keeping a grant's secret in step with the broker: fetch it into the keychain when the grant turns
 * active, replace it when the grant is extended, wipe it (and queue the receipt) when it ends.
 */
import type { Grant, GrantChange, Result, WipeTrigger } from '../protocol/index.ts';
import { assertNever, ok } from '../protocol/index.ts';
import type { GrantDeps } from './grant-deps.ts';
import type { GrantRecord } from './grant-store.ts';
import { holdsSecret } from './snapshot-merge.ts';
import { deviceKeyFor, secretText } from './ssh-device-key.ts';

type CredentialDeps = Pick<
  GrantDeps,
  'broker' | 'secrets' | 'store' | 'scheduler' | 'receipts' | 'onCredentialReplaced'
>;

// Per store (one agent each, several in one test process): fetches in flight by grant id.
const inFlight = new WeakMap<object, Map<string, Promise<Result<GrantRecord>>>>();

/**
 * Fetches an active grant's credential and keeps it in the keychain, replacing any earlier one
 * (an extension re-issues it with the new deadline). Single-flight per grant: the extend answer
 * and its `extended` event arriving together issue one credential, not two.
 */
export function fetchCredential(deps: CredentialDeps, grant: Grant): Promise<Result<GrantRecord>> {
  let running = inFlight.get(deps.store);
  if (!running) {
    running = new Map();
    inFlight.set(deps.store, running);
  }
  const key = `${grant.id}@${grant.expiresAt ?? ''}`;
  const pending = running.get(key);
  if (pending) return pending;
  const started = fetchOnce(deps, grant).finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

/** Settles once every credential fetch in flight for `store` is done (sign-out waits for them). */
export async function settleFetches(store: object): Promise<void> {
  await Promise.allSettled([...(inFlight.get(store)?.values() ?? [])]);
}

async function fetchOnce(deps: CredentialDeps, grant: Grant): Promise<Result<GrantRecord>> {
  // A receipt for an earlier copy goes first: sent after the new issue, it would claim the new
  // credential wiped. One that cannot go now is dropped, since the new issue supersedes it.
  if (deps.store.get(grant.id)?.receipt) await deps.receipts.send(grant.id);
  const device = await deviceKeyFor(deps.secrets, grant);
  if (!device.ok) return device;
  const issued = await deps.broker.issueCredentials(grant.id, device.value.body);
  if (!issued.ok) return issued;
  const before = deps.store.get(grant.id);
  const record: GrantRecord = {
    id: grant.id,
    role: grant.role,
    provider: grant.provider,
    grantedSeconds: grant.grantedSeconds,
    expiresAt: issued.value.expiresAt,
    // A replaced credential stays marked held: the old one is still in the keychain until then.
    credentialStored: before?.credentialStored === true && before.wipedAt === null,
    wipedAt: null,
    subject: grant.subject,
    grant,
    receipt: null,
  };
  // The deadline is on disk before the secret is in the keychain, so a crash in between never
  // leaves a secret the scheduler does not know to wipe.
  deps.store.setOffsetMs(deps.broker.clockOffsetMs());
  deps.store.upsert(record);
  const stored = await deps.secrets.put({
    grantId: grant.id,
    expiresAt: issued.value.expiresAt,
    secret: secretText(issued.value.credential, device.value.privateKey),
  });
  if (!stored.ok) return stored;
  const held = { ...record, credentialStored: true };
  deps.store.upsert(held);
  await deps.scheduler.rearm();
  if (record.credentialStored)
    deps.onCredentialReplaced?.(grant.id, {
      credential: issued.value.credential,
      sshPrivateKey: device.value.privateKey,
      expiresAt: issued.value.expiresAt,
    });
  return ok(held);
}

/** Wipes a grant's secret now and sends (or queues) its receipt. Answers whether it is gone. */
export async function wipeGrant(
  deps: Pick<GrantDeps, 'scheduler' | 'receipts' | 'hub'>,
  grantId: string,
  trigger: WipeTrigger,
): Promise<boolean> {
  const gone = await deps.scheduler.wipe(grantId, trigger);
  deps.hub.changed();
  void deps.receipts.send(grantId).then(() => deps.hub.changed());
  return gone;
}

/** The wipe trigger for a grant that ended with `status`. */
function endTrigger(status: 'denied' | 'expired' | 'revoked' | 'cancelled'): WipeTrigger {
  switch (status) {
    case 'revoked':
      return 'revoked';
    case 'expired':
      return 'deadline';
    case 'denied':
    case 'cancelled':
      return 'ended';
    default:
      return assertNever(status);
  }
}

/**
 * Brings this device in line with the broker's view of an own grant. `change` is the event that
 * brought it (null on a resync): a credential is fetched unasked only when the grant has just
 * turned active; otherwise `env` fetches it on demand (and says so).
 */
export async function reconcileGrant(
  deps: GrantDeps,
  grant: Grant,
  change: GrantChange | null,
): Promise<void> {
  const record = deps.store.get(grant.id);
  switch (grant.status) {
    case 'pending':
      return;
    case 'active': {
      if (holdsSecret(record)) {
        const known = record?.grant?.expiresAt ?? record?.expiresAt;
        if (record && grant.expiresAt !== null && known !== grant.expiresAt)
          await fetchCredential(deps, grant);
        else if (record) deps.store.upsert({ ...record, grant });
        return;
      }
      const justActive = change === 'approved' || change === 'activated';
      if (justActive && (!record || record.wipedAt === null)) await fetchCredential(deps, grant);
      return;
    }
    case 'denied':
    case 'expired':
    case 'revoked':
    case 'cancelled':
      if (record) deps.store.upsert({ ...record, grant });
      if (holdsSecret(record)) await wipeGrant(deps, grant.id, endTrigger(grant.status));
      return;
    default:
      return assertNever(grant.status);
  }
}
