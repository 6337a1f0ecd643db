/** What the tray knows: the latest pushed snapshot, the roles, last requests, and the time. Pure. */
import type { AgentSnapshot } from '../protocol/agent-api.ts';
import type { RoleSummary } from '../protocol/broker-api.ts';
import { clockOffsetMs } from '../renderer/grant-clock.logic.ts';
import type { KeychainHealth } from '../renderer/keychain-health.logic.ts';

/** What the user last asked for a role: pre-fills the next request window. */
export interface LastRequest {
  durationSeconds: number;
  reason: string;
  ticket?: string;
}

/** The tray's inputs: everything but the roles and settings comes from the pushed snapshot. */
export interface TrayState {
  snapshot: AgentSnapshot | null;
  /** Broker clock minus local clock, from the snapshot's `now`. */
  offsetMs: number;
  /** The local clock now. */
  nowMs: number;
  /** Roles the signed-in user may request (fetched after sign-in). */
  roles: readonly RoleSummary[];
  /** Per role, the last request made from this app. */
  lastRequests: Readonly<Record<string, LastRequest>>;
  /** Warning marks, seconds before a deadline; the smallest one means "expiring soon". */
  warnMarks: readonly number[];
  /** The latest keychain probe (doctor's check); null before the first. */
  keychain: KeychainHealth | null;
}

/** The state before any snapshot arrived. */
export function emptyTrayState(
  nowMs: number,
  warnMarks: readonly number[] = [600, 120],
): TrayState {
  return {
    snapshot: null,
    offsetMs: 0,
    nowMs,
    roles: [],
    lastRequests: {},
    warnMarks,
    keychain: null,
  };
}

/** A snapshot arrived at local time `receivedAtMs`; an older one arriving late is ignored. */
export function traySnapshotReceived(
  state: TrayState,
  snapshot: AgentSnapshot,
  receivedAtMs: number,
): TrayState {
  const held = state.snapshot;
  if (held && snapshot.version < held.version && snapshot.now <= held.now) return state;
  const roles = snapshot.status.loggedIn ? state.roles : [];
  return {
    ...state,
    snapshot,
    roles,
    offsetMs: clockOffsetMs(snapshot.now, receivedAtMs),
    nowMs: receivedAtMs,
  };
}

/** The roles the user may request arrived. */
export function trayRolesReceived(state: TrayState, roles: readonly RoleSummary[]): TrayState {
  return { ...state, roles };
}

/** Settings changed (last requests, warning marks). */
export function traySettingsChanged(
  state: TrayState,
  settings: Pick<TrayState, 'lastRequests' | 'warnMarks'>,
): TrayState {
  return { ...state, lastRequests: settings.lastRequests, warnMarks: settings.warnMarks };
}

/** The keychain was probed. */
export function trayKeychainChecked(state: TrayState, keychain: KeychainHealth): TrayState {
  return { ...state, keychain };
}

/** The same state read at local time `nowMs` (the tray re-renders each second). */
export function trayStateAt(state: TrayState, nowMs: number): TrayState {
  return { ...state, nowMs };
}
