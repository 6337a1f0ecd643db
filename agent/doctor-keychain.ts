/**
 * The keychain check of `hourglass doctor`: writes, reads back and deletes a probe item, so a
 * locked keyring (which still answers searches) is told apart from an unlocked one. A keyring that
 * shows an unlock prompt gets a bounded wait, never a loop.
 */
import { randomBytes } from 'node:crypto';
import type { DoctorCheck } from './doctor-checks.ts';
import { createKeychainVault } from './keychain.vault.ts';
import { keychainProblemMessage } from './keychain.vault-diagnosis.ts';

/** A probe of its own per check: two data dirs' doctors at once never read each other's. */
const probeAccount = () => `doctor-probe-${randomBytes(4).toString('hex')}`;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probe(profile: string, service?: string): Promise<DoctorCheck> {
  const vault = createKeychainVault(service, profile);
  const account = probeAccount();
  const value = randomBytes(8).toString('hex');
  const stored = await vault.store(account, value);
  if (!stored.ok) return split(stored.error.message);
  const read = await vault.read(account);
  await vault.remove(account);
  if (!read.ok) return split(read.error.message);
  if (read.value !== value)
    return {
      name: 'keychain',
      status: 'fail',
      detail: 'an item written could not be read back',
      fix: 'restart the keyring daemon and retry',
    };
  return { name: 'keychain', status: 'ok', detail: 'reachable and unlocked' };
}

/** The vault's message is "what; fix": shown as detail and fix. */
function split(message: string): DoctorCheck {
  const [detail, ...rest] = message.split('; Hourglass never stores secrets elsewhere. ');
  return {
    name: 'keychain',
    status: 'fail',
    detail: detail ?? message,
    fix: rest.join(' ') || undefined,
  };
}

/** Checks the keychain of `profile`; `service` only for tests. */
export async function checkKeychain(
  profile: string,
  timeoutMs = 15_000,
  service?: string,
): Promise<DoctorCheck> {
  const outcome = await withTimeout(probe(profile, service), timeoutMs);
  return outcome === 'timeout' ? split(keychainProblemMessage('no_answer')) : outcome;
}
