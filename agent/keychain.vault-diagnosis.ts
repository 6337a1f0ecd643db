/**
 * Why the OS keychain refused, and the fix for this OS. The native error text is read only to
 * classify it; it never reaches a message (it can name the item).
 */
import { readFileSync } from 'node:fs';
import { assertNever } from '../protocol/index.ts';

/** Why the keychain cannot be used. */
export type KeychainProblem = 'no_bus' | 'no_keyring' | 'locked' | 'no_answer' | 'unavailable';

/** Classifies a native keyring error (Secret Service on Linux). */
export function classifyKeychainError(error: unknown, env: NodeJS.ProcessEnv): KeychainProblem {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const text = error instanceof Error ? `${error.message} ${cause}` : '';
  if (!env.DBUS_SESSION_BUS_ADDRESS && process.platform === 'linux') return 'no_bus';
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|org\.freedesktop\.DBus\.Error/i.test(text))
    return 'no_bus';
  if (/prompt was dismissed|locked/i.test(text)) return 'locked';
  if (/no result found|ServiceUnknown|not provided by any \.service/i.test(text))
    return 'no_keyring';
  return 'unavailable';
}

function isWsl(): boolean {
  try {
    return /microsoft/i.test(readFileSync('/proc/version', 'utf8'));
  } catch {
    return false;
  }
}

const LINUX_START =
  '`echo -n <password> | gnome-keyring-daemon --unlock --components=secrets` inside the session';

function linuxFix(problem: KeychainProblem): string {
  const wsl = isWsl()
    ? ' On WSL there is no desktop session: install `gnome-keyring dbus-x11`, start a shell with `dbus-run-session -- bash`, then start and unlock the daemon there.'
    : '';
  switch (problem) {
    case 'no_bus':
      return `No D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service: run inside your desktop session, or start one with \`dbus-run-session -- $SHELL\` and then ${LINUX_START}.${wsl}`;
    case 'no_keyring':
      return `No Secret Service keyring answers on the session bus: install one (\`apt-get install gnome-keyring libsecret-tools\`, or KeePassXC with Secret Service on) and start it unlocked: ${LINUX_START}.${wsl}`;
    case 'locked':
      return 'The keyring is locked: unlock it (log in to your desktop session, or open Passwords and Keys / Seahorse and unlock "Login"; headless: `echo -n <password> | gnome-keyring-daemon --replace --unlock --components=secrets`), then retry.';
    case 'no_answer':
      return 'The keyring did not answer in time: an unlock prompt may be waiting on your screen; answer it, or restart the keyring daemon.';
    case 'unavailable':
      return `Make sure a Secret Service keyring runs and is unlocked (${LINUX_START}).${wsl}`;
    default:
      return assertNever(problem);
  }
}

/** What went wrong and what to do, for `problem`, on this OS. Never names an item or a secret. */
export function keychainProblemMessage(problem: KeychainProblem): string {
  const what =
    problem === 'locked'
      ? 'The OS keychain is locked'
      : problem === 'no_answer'
        ? 'The OS keychain did not answer'
        : 'The OS keychain is unavailable';
  const fix =
    process.platform === 'linux'
      ? linuxFix(problem)
      : process.platform === 'darwin'
        ? 'Unlock your login keychain (`security unlock-keychain ~/Library/Keychains/login.keychain-db`) and retry.'
        : 'Make sure Windows Credential Manager is available for your account and retry.';
  return `${what}; Hourglass never stores secrets elsewhere. ${fix}`;
}
