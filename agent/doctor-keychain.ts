/**
 * The keychain check of `hourglass doctor`: writes, reads back and deletes a probe item, so a
 * locked keyring (which still answers searches) is told apart from an unlocked one. A keyring that
 * shows an unlock prompt gets a bounded wait, never a loop.
 */
import { randomBytes } from 'node:crypto';
import type { KeychainCheck } from '../protocol/index.ts';
import type { DoctorCheck } from './doctor-checks.ts';
import type { Vault } from './keychain.vault.ts';
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

async function probe(vault: Vault): Promise<DoctorCheck> {
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

/** Probes `vault` (the agent's own, in the agent): write, read back, delete, bounded in time. */
export async function probeVault(vault: Vault, timeoutMs = 15_000): Promise<KeychainCheck> {
  const outcome = await withTimeout(probe(vault), timeoutMs);
  const check = outcome === 'timeout' ? split(keychainProblemMessage('no_answer')) : outcome;
  return {
    status: check.status === 'ok' ? 'ok' : 'fail',
    detail: check.detail,
    ...(check.fix ? { fix: check.fix } : {}),
  };
}

/** Checks the keychain of `profile` from this process (no agent runs); `service` only for tests. */
export async function checkKeychain(
  profile: string,
  timeoutMs = 15_000,
  service?: string,
): Promise<DoctorCheck> {
  return {
    name: 'keychain',
    ...(await probeVault(createKeychainVault(service, profile), timeoutMs)),
  };
}
