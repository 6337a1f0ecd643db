/** Which tray icon to show, and its file per platform. Pure. */
import type { VisibleGrant } from '../renderer/grant-clock.logic.ts';
import type { TrayState } from './tray-state.ts';

/** The icon states the tray can be in, most urgent first. */
export const trayIconStates = [
  'signed-out',
  'expiring',
  'error',
  'pending',
  'active',
  'idle',
] as const;

/** One icon state. */
export type TrayIconState = (typeof trayIconStates)[number];

/**
 * The icon for what is going on: signed out; a grant inside the last (smallest) warning mark;
 * the keychain failing doctor's probe or the broker unreachable; something waiting for approval (mine or for me); a grant active; idle.
 */
export function trayIconState(state: TrayState, shown: readonly VisibleGrant[]): TrayIconState {
  const snapshot = state.snapshot;
  const keychainBroken = state.keychain?.status === 'fail';
  if (!snapshot?.status.loggedIn) return keychainBroken ? 'error' : 'signed-out';
  const lastMark = state.warnMarks.length > 0 ? Math.min(...state.warnMarks) : 120;
  const active = shown.filter((g) => g.secondsLeft !== null);
  if (active.some((g) => (g.secondsLeft ?? 0) <= lastMark)) return 'expiring';
  if (keychainBroken || snapshot.connection.state === 'offline') return 'error';
  if (snapshot.approvals.length > 0 || shown.some((g) => g.secondsLeft === null)) return 'pending';
  return active.length > 0 ? 'active' : 'idle';
}

/**
 * The icon file (under assets/) for a state: macOS gets monochrome template images (the menu bar
 * tints them; the name must end in `Template`), others coloured PNGs. `@2x` sits beside each and
 * Electron picks it on high-DPI screens.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}
