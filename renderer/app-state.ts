/** The renderer's state and its pure transitions `(state, input) => state`. */
import type { AgentNotice, AgentSnapshot, AgentStatus, LocalGrant } from '../protocol/agent-api.ts';
import type { PendingApproval, RoleSummary } from '../protocol/broker-api.ts';
import type { Failure } from '../protocol/result.ts';
import { clockOffsetMs } from './grant-clock.logic.ts';

/** Where an error is shown. */
export type ErrorArea = 'status' | 'login' | 'roles' | 'request' | 'grants' | 'approvals';

/** The sign-in flow as the UI sees it. */
export type LoginState =
  | { phase: 'idle' }
  | { phase: 'waiting'; loginId: string; authorizationUrl: string }
  | { phase: 'finishing' };

/** Most notices kept in the in-page list. */
export const maxNotices = 5;

/** Everything the window shows. Holds no secret: the API never returns one to the renderer. */
export interface AppState {
  /** The latest snapshot the agent pushed; null before the first. */
  snapshot: AgentSnapshot | null;
  status: AgentStatus | null;
  grants: LocalGrant[];
  approvals: PendingApproval[];
  roles: RoleSummary[];
  /** Broker clock minus local clock, from the latest `now` received. */
  offsetMs: number;
  /** The local clock at the latest tick. */
  nowMs: number;
  login: LoginState;
  errors: Partial<Record<ErrorArea, string>>;
  /** Id of the grant created by the last successful request, to highlight it. */
  lastGrantId: string | null;
  /** Grant opened from a notice or an "Extend instead" offer. */
  selectedGrantId: string | null;
  /** A request refused because the role is already held: offer Extend on this grant instead. */
  alreadyActive: { grantId: string } | null;
  /** Notices to show in the page, newest first. */
  notices: AgentNotice[];
  /** How many snapshots arrived so far: tells an action's answer whether a push overtook it. */
  snapshotCount: number;
}

/** The state before anything has been loaded. */
export function initialState(nowMs: number): AppState {
  return {
    snapshot: null,
    status: null,
    grants: [],
    approvals: [],
    roles: [],
    offsetMs: 0,
    nowMs,
    login: { phase: 'idle' },
    errors: {},
    lastGrantId: null,
    selectedGrantId: null,
    alreadyActive: null,
    notices: [],
    snapshotCount: 0,
  };
}

function withoutError(errors: AppState['errors'], area: ErrorArea): AppState['errors'] {
  const next = { ...errors };
  delete next[area];
  return next;
}

/**
 * The agent pushed (or answered) a snapshot at local time `receivedAtMs`. An older snapshot
 * arriving late (lower version, earlier clock) is ignored.
 */
export function snapshotReceived(
  state: AppState,
  snapshot: AgentSnapshot,
  receivedAtMs: number,
): AppState {
  const held = state.snapshot;
  if (held && snapshot.version < held.version && snapshot.now <= held.now) return state;
  const loggedIn = snapshot.status.loggedIn;
  return {
    ...state,
    snapshot,
    status: snapshot.status,
    grants: snapshot.grants,
    approvals: snapshot.approvals,
    roles: loggedIn ? state.roles : [],
    offsetMs: clockOffsetMs(snapshot.now, receivedAtMs),
    errors: withoutError(state.errors, 'status'),
    snapshotCount: state.snapshotCount + 1,
  };
}

/** The role list arrived. */
export function rolesReceived(state: AppState, roles: RoleSummary[]): AppState {
  const sorted = [...roles].sort((a, b) => a.name.localeCompare(b.name));
  return { ...state, roles: sorted, errors: withoutError(state.errors, 'roles') };
}

/**
 * An action answered with a grant: merge it in by id until the next snapshot says more. When a
 * snapshot arrived while the call was in flight (`sentAtCount` differs), the answer may be older
 * than what was pushed (an "I'm done" answer landing after the wipe's snapshot), so the pushed
 * view wins; the agent pushes after every change, so nothing is lost either way.
 */
export function grantChanged(
  state: AppState,
  grant: LocalGrant,
  area: ErrorArea,
  sentAtCount: number = state.snapshotCount,
): AppState {
  if (sentAtCount !== state.snapshotCount)
    return { ...state, errors: withoutError(state.errors, area) };
  const others = state.grants.filter((g) => g.id !== grant.id);
  return {
    ...state,
    grants: [grant, ...others],
    approvals: state.approvals.filter((a) => a.grant.id !== grant.id || grant.status === 'pending'),
    errors: withoutError(state.errors, area),
  };
}

/** A request created (or found) a grant. */
export function grantRequested(
  state: AppState,
  grant: LocalGrant,
  sentAtCount: number = state.snapshotCount,
): AppState {
  const merged = grantChanged(state, grant, 'request', sentAtCount);
  return { ...merged, lastGrantId: grant.id, alreadyActive: null };
}

/** A request was refused because the role is already held by `grantId`. */
export function requestAlreadyActive(state: AppState, failure: Failure): AppState {
  const next = failed(state, 'request', failure);
  return failure.grantId ? { ...next, alreadyActive: { grantId: failure.grantId } } : next;
}

/** A notice arrived: shown once (by id), newest first, at most `maxNotices`. */
export function noticeReceived(state: AppState, notice: AgentNotice): AppState {
  if (state.notices.some((n) => n.id === notice.id)) return state;
  return { ...state, notices: [notice, ...state.notices].slice(0, maxNotices) };
}

/** The user dismissed a notice. */
export function noticeDismissed(state: AppState, id: string): AppState {
  return { ...state, notices: state.notices.filter((n) => n.id !== id) };
}

/** A grant was opened (from a notice, or the "Extend instead" offer). */
export function grantSelected(state: AppState, grantId: string | null): AppState {
  return { ...state, selectedGrantId: grantId, alreadyActive: null };
}

/** The one-second tick. */
export function ticked(state: AppState, nowMs: number): AppState {
  return { ...state, nowMs };
}

/** The sign-in flow moved on. */
export function loginChanged(state: AppState, login: LoginState): AppState {
  return {
    ...state,
    login,
    errors: login.phase === 'idle' ? state.errors : withoutError(state.errors, 'login'),
  };
}

/** A call failed: show its message in `area`. */
export function failed(state: AppState, area: ErrorArea, failure: Failure): AppState {
  const login: LoginState = area === 'login' ? { phase: 'idle' } : state.login;
  return { ...state, login, errors: { ...state.errors, [area]: failure.message } };
}

/** Signed out: drop everything user-specific until the next snapshot. */
export function signedOut(state: AppState): AppState {
  return {
    ...initialState(state.nowMs),
    snapshot: state.snapshot,
    status: state.status && { ...state.status, loggedIn: false, user: null },
  };
}
