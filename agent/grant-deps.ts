/** What the grant handlers, the event handler and the resync share; the host wires the real ones. */
import type { Credential } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import type { CurrentUser } from './current-user.ts';
import type { DeadlineScheduler } from './deadline-scheduler.ts';
import type { GrantSecrets } from './grant-secrets.ts';
import type { GrantStore } from './grant-store.ts';
import type { Vault } from './keychain.vault.ts';
import type { SnapshotHub } from './snapshot-hub.ts';
import type { WipeReceipts } from './wipe-receipts.ts';

/** A re-issued credential (a secret: never logged) and its new deadline. */
export interface ReplacedCredential {
  credential: Credential;
  sshPrivateKey: string | null;
  expiresAt: string;
}

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
  /**
   * Heard when a held credential is replaced by a re-issued one (an extension), with the device's
   * private key for ssh grants: keys handed to an ssh-agent follow the new deadline.
   */
  onCredentialReplaced?: (grantId: string, replaced: ReplacedCredential) => void;
  /** The subject of this process's last sign-in (from the ID token), when the broker cannot say. */
  signedInSubject: () => string | null;
}
