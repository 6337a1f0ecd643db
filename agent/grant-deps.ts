/** What the grant handlers, the event handler and the resync share; the host wires the real ones. */
import type { BrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import type { CurrentUser } from './current-user.ts';
import type { DeadlineScheduler } from './deadline-scheduler.ts';
import type { GrantSecrets } from './grant-secrets.ts';
import type { GrantStore } from './grant-store.ts';
import type { Vault } from './keychain.vault.ts';
import type { SnapshotHub } from './snapshot-hub.ts';
import type { WipeReceipts } from './wipe-receipts.ts';

/** Shared dependencies of the grant code. */
export interface GrantDeps {
  broker: BrokerClient;
  vault: Vault;
  /** Grant secrets (deadline buckets in the keychain): every grant secret goes through it. */
  secrets: GrantSecrets;
  store: GrantStore;
  scheduler: DeadlineScheduler;
  clock: Clock;
  hub: SnapshotHub;
  user: CurrentUser;
  receipts: WipeReceipts;
  minExportSeconds: number;
  /** The subject of this process's last sign-in (from the ID token), when the broker cannot say. */
  signedInSubject: () => string | null;
}
