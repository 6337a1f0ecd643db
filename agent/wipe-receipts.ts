/**
 * Wipe receipts: after the agent deletes a grant's secret, it tells the broker what it removed and
 * when (`POST /v1/grants/:id/wiped`). The receipt is queued in the grant store with the wipe, so an
 * unreachable broker only delays it: it is sent again on reconnect.
 */
import type { ErrorCode, Grant } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';
import type { GrantStore } from './grant-store.ts';

/** The receipt sender. */
export interface WipeReceipts {
  /** Sends the queued receipt of one grant, if any; answers whether none is left queued. */
  send(grantId: string): Promise<boolean>;
  /** Sends every queued receipt (single-flight). */
  flush(): Promise<void>;
}

/** What the sender needs. */
export interface WipeReceiptsDeps {
  store: GrantStore;
  broker: Pick<BrokerClient, 'recordWipe'>;
  /** The broker's updated grant (wipe state `wiped`), for the snapshot. */
  onRecorded: (grant: Grant) => void;
  /** The signed-in subject, if known: only the owner's device may report a wipe. */
  currentSubject: () => string | null;
}

/** Errors after which a retry can succeed: the receipt stays queued. */
function retryable(code: ErrorCode): boolean {
  return [
    'broker_unreachable',
    'unavailable',
    'not_logged_in',
    'unauthenticated',
    'rate_limited',
    'internal',
    'keychain_unavailable',
  ].includes(code);
}

/** Creates the sender. */
export function createWipeReceipts(deps: WipeReceiptsDeps): WipeReceipts {
  let flushing: Promise<void> | null = null;
  const inFlight = new Map<string, Promise<boolean>>();

  // One delivery per grant at a time: a wipe's own send and a flush never post the receipt twice.
  function send(grantId: string): Promise<boolean> {
    const running = inFlight.get(grantId);
    if (running) return running;
    const started = deliver(grantId).finally(() => inFlight.delete(grantId));
    inFlight.set(grantId, started);
    return started;
  }

  async function deliver(grantId: string): Promise<boolean> {
    const record = deps.store.get(grantId);
    if (!record?.receipt) return true;
    // Another user's receipt (wiped when someone else signed in) waits until they sign in again.
    const subject = deps.currentSubject();
    if (record.subject !== null && subject !== null && record.subject !== subject) return false;
    const { receipt } = record;
    const sent = await deps.broker.recordWipe(grantId, receipt);
    if (!sent.ok && retryable(sent.error.code)) return false;
    // Delivered, or refused for good (unknown grant, another user's): either way not queued.
    const now = deps.store.get(grantId);
    if (now?.receipt?.wipedAt === receipt.wipedAt) deps.store.upsert({ ...now, receipt: null });
    if (sent.ok) deps.onRecorded(sent.value.grant);
    return true;
  }

  return {
    send,
    flush() {
      flushing ??= (async () => {
        for (const record of deps.store.list()) if (record.receipt) await send(record.id);
      })().finally(() => {
        flushing = null;
      });
      return flushing;
    },
  };
}
