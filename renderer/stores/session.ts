/** The Session feature: who is signed in, the broker connection, the sign-in flow, the clock offset. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AgentSnapshot, AgentStatus } from '../../protocol/agent-api.ts';
import type { Failure } from '../../protocol/result.ts';
import type { AgentLink } from '../console-link.logic.ts';
import { clockOffsetMs } from '../grant-clock.logic.ts';

/** The sign-in flow as the UI sees it. */
export type LoginState =
  | { phase: 'idle' }
  | { phase: 'waiting'; loginId: string; authorizationUrl: string }
  | { phase: 'finishing' };

/** Where a session error is shown. */
export type SessionErrorArea = 'status' | 'login';

/** What the header, banners and sign-in panel show. */
export interface SessionState {
  /** The latest snapshot the agent pushed; null before the first. */
  snapshot: AgentSnapshot | null;
  status: AgentStatus | null;
  /** Broker clock minus local clock, from the latest `now` received. */
  offsetMs: number;
  login: LoginState;
  errors: Partial<Record<SessionErrorArea, string>>;
  /** How many snapshots were taken so far: tells an action's answer whether a push overtook it. */
  snapshotCount: number;
  /** The console's link to its agent (the desktop app's is always live). */
  link: AgentLink;
}

/** The session before anything has been loaded. */
export function initialSession(): SessionState {
  return {
    snapshot: null,
    status: null,
    offsetMs: 0,
    login: { phase: 'idle' },
    errors: {},
    snapshotCount: 0,
    link: 'live',
  };
}

/** The console's link to its agent changed. */
export function linkChanged(state: SessionState, link: AgentLink): SessionState {
  return state.link === link ? state : { ...state, link };
}

/** Is `incoming` a late, older snapshot (lower version and no later clock) than `held`? */
export function isStaleSnapshot(held: AgentSnapshot | null, incoming: AgentSnapshot): boolean {
  return held !== null && incoming.version < held.version && incoming.now <= held.now;
}

function withoutError(state: SessionState, area: SessionErrorArea): SessionState['errors'] {
  const next = { ...state.errors };
  delete next[area];
  return next;
}

/** A snapshot arrived at local time `receivedAtMs`; a stale one leaves the state as it was. */
export function sessionSnapshotReceived(
  state: SessionState,
  snapshot: AgentSnapshot,
  receivedAtMs: number,
): SessionState {
  if (isStaleSnapshot(state.snapshot, snapshot)) return state;
  return {
    ...state,
    snapshot,
    status: snapshot.status,
    offsetMs: clockOffsetMs(snapshot.now, receivedAtMs),
    errors: withoutError(state, 'status'),
    snapshotCount: state.snapshotCount + 1,
  };
}

/** The sign-in flow moved on; leaving idle clears the last sign-in error. */
export function loginChanged(state: SessionState, login: LoginState): SessionState {
  return {
    ...state,
    login,
    errors: login.phase === 'idle' ? state.errors : withoutError(state, 'login'),
  };
}

/** A call failed: show its message in `area`; a sign-in failure goes back to idle. */
export function sessionFailed(
  state: SessionState,
  area: SessionErrorArea,
  failure: Failure,
): SessionState {
  const login: LoginState = area === 'login' ? { phase: 'idle' } : state.login;
  return { ...state, login, errors: { ...state.errors, [area]: failure.message } };
}

/** Signed out: nobody is shown until the next snapshot says more. */
export function sessionSignedOut(state: SessionState): SessionState {
  return {
    ...state,
    login: { phase: 'idle' },
    errors: {},
    status: state.status && { ...state.status, loggedIn: false, user: null },
  };
}

/** The session store. */
export type SessionStore = StoreApi<SessionState>;

/** Creates the session store. */
export function createSessionStore(): SessionStore {
  return createStore<SessionState>()(initialSession);
}
