/** The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager). Secrets live only here. */
import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import type { Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { DEFAULT_PROFILE } from './config.ts';
import type { KeychainScope } from './keychain-scope.ts';
import { scopeAccountPrefix } from './keychain-scope.ts';
import { classifyKeychainError, keychainProblemMessage } from './keychain.vault-diagnosis.ts';

/** Keychain service name for every Hourglass item. */
export const KEYCHAIN_SERVICE = 'hourglass';

/** Account of the IdP session item (the refresh token). */
export const SESSION_ACCOUNT = 'session';

/** Secret storage; every call answers a Result and never falls back to plaintext. */
export interface Vault {
  store(account: string, secret: string): Promise<Result<void>>;
  read(account: string): Promise<Result<string | null>>;
  /** Answers whether an item was there. */
  remove(account: string): Promise<Result<boolean>>;
  /** Accounts of every item under the service. */
  accounts(): Promise<Result<string[]>>;
  /** Every item under the service with its secret, in one keychain call. */
  entries(): Promise<Result<VaultEntry[]>>;
}

/** One keychain item: its (profile-relative) account and its secret. */
export interface VaultEntry {
  account: string;
  secret: string;
}

/** The fix-it message for an unreachable or locked keychain (no cause known: the generic one). */
export function keychainUnavailableMessage(
  error?: unknown,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return keychainProblemMessage(classifyKeychainError(error, env));
}

async function guard<T>(run: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await run());
  } catch (error) {
    // The native error text can name the item: it only picks the message, never goes into it.
    return fail('keychain_unavailable', keychainUnavailableMessage(error));
  }
}

/**
 * The keychain account prefix of `profile` in the standard data dir: none for `default` (items
 * from before profiles keep working), `<profile>/` for the others (see keychain-scope.ts).
 */
export function profileAccountPrefix(profile: string | undefined): string {
  return scopeAccountPrefix({ profile: profile ?? DEFAULT_PROFILE, dataDirHash: null });
}

const LISTING_ATTEMPTS = 3;

/**
 * Every item of `service`. Another process (another data dir or profile) may delete an item
 * between the keyring's search and the read of that item, which fails the whole search ("Object
 * does not exist"); a second search no longer sees it. A keyring that is down fails every attempt.
 */
export async function listKeychainItems(
  service: string,
): Promise<Array<{ account: string; password: string }>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await findCredentialsAsync(service);
    } catch (error) {
      if (attempt >= LISTING_ATTEMPTS) throw error;
    }
  }
}

/** Whether `account` (unprefixed by the caller) belongs to the profile with `prefix`. */
function ownAccount(account: string, prefix: string): string | null {
  if (prefix === '') return account.includes('/') ? null : account;
  return account.startsWith(prefix) ? account.slice(prefix.length) : null;
}

/**
 * A vault over `@napi-rs/keyring` for `service` (default `hourglass`), scoped to a profile (its
 * standard data dir's names) or to a profile's data dir (`KeychainScope`): it never lists, reads
 * or wipes another profile's or another data dir's items.
 */
export function createKeychainVault(
  service: string = KEYCHAIN_SERVICE,
  profile?: string | KeychainScope,
): Vault {
  const prefix =
    typeof profile === 'object' ? scopeAccountPrefix(profile) : profileAccountPrefix(profile);
  // Pinned to the Secret Service: by default the library silently falls back to the kernel
  // keyring when no Secret Service answers, which would be a fail-open plaintext-ish fallback.
  const entry = (account: string) =>
    new AsyncEntry(service, `${prefix}${account}`, { linux: { store: 'secret-service' } });
  return {
    store: (account, secret) =>
      guard(async () => {
        await entry(account).setPassword(secret);
      }),
    read: (account) => guard(async () => (await entry(account).getPassword()) ?? null),
    remove: (account) => guard(() => entry(account).deleteCredential()),
    accounts: () =>
      guard(async () =>
        (await listKeychainItems(service))
          .map((c) => ownAccount(c.account, prefix))
          .filter((a): a is string => a !== null),
      ),
    entries: () =>
      guard(async () =>
        (await listKeychainItems(service)).flatMap((c) => {
          const account = ownAccount(c.account, prefix);
          return account === null ? [] : [{ account, secret: c.password }];
        }),
      ),
  };
}
