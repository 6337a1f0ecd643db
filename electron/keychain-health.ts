/**
 * Keychain health for the tray and the window's banner: the same probe `hourglass doctor` runs
 * (write, read back, delete), at start and after resume / unlock.
 */
import type { DoctorCheck } from '../agent/doctor-checks.ts';
import { checkKeychain } from '../agent/doctor-keychain.ts';
import type { KeychainHealth } from '../renderer/keychain-health.logic.ts';

export type { KeychainHealth } from '../renderer/keychain-health.logic.ts';

/** The latest probe result, and a way to probe again. */
export interface KeychainHealthMonitor {
  current(): KeychainHealth | null;
  refresh(): Promise<KeychainHealth>;
}

/** Monitors the keychain of `profile`; `probe` is doctor's check (a parameter for tests). */
export function createKeychainHealth(
  profile: string,
  probe: (profile: string) => Promise<DoctorCheck> = checkKeychain,
): KeychainHealthMonitor {
  let latest: KeychainHealth | null = null;
  let running: Promise<KeychainHealth> | null = null;
  return {
    current: () => latest,
    refresh() {
      // One probe at a time: resume and unlock often arrive together.
      running ??= probe(profile)
        .catch((): DoctorCheck => ({
          name: 'keychain',
          status: 'fail',
          detail: 'the keychain probe failed',
          fix: 'run `hourglass doctor` for details',
        }))
        .then((check) => {
          latest = { status: check.status, detail: check.detail, fix: check.fix ?? null };
          return latest;
        })
        .finally(() => {
          running = null;
        });
      return running;
    },
  };
}
