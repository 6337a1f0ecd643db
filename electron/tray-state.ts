/** What the tray knows: the latest pushed snapshot, when it arrived, and the current time. Pure. */
import type { AgentSnapshot } from '../protocol/agent-api.ts';
import { clockOffsetMs } from '../renderer/grant-clock.logic.ts';

/** The tray's inputs: everything comes from the agent's pushed snapshot. */
export interface TrayState {
  snapshot: AgentSnapshot | null;
  /** Broker clock minus local clock, from the snapshot's `now`. */
  offsetMs: number;
  /** The local clock now. */
  nowMs: number;
}

/** The state before any snapshot arrived. */
export function emptyTrayState(nowMs: number): TrayState {
  return { snapshot: null, offsetMs: 0, nowMs };
}

/** A snapshot arrived at local time `receivedAtMs`; an older one arriving late is ignored. */
export function traySnapshotReceived(
  state: TrayState,
  snapshot: AgentSnapshot,
  receivedAtMs: number,
): TrayState {
  const held = state.snapshot;
  if (held && snapshot.version < held.version && snapshot.now <= held.now) return state;
  return { snapshot, offsetMs: clockOffsetMs(snapshot.now, receivedAtMs), nowMs: receivedAtMs };
}

/** The same state read at local time `nowMs` (the tray re-renders each second). */
export function trayStateAt(state: TrayState, nowMs: number): TrayState {
  return { ...state, nowMs };
}
