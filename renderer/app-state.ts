/** The renderer's state and its pure transitions `(state, input) => state`. */
import type { AgentStatus, LocalGrant } from '../protocol/agent-api.ts';
import type { RoleSummary } from '../protocol/broker-api.ts';
import type { Failure } from '../protocol/result.ts';
import { clockOffsetMs } from './grant-clock.ts';

/** Where an error is shown. */
export type ErrorArea = 'status' | 'login' | 'roles' | 'request' | 'grants';

/** The sign-in flow as the UI sees it. */
export type LoginState =
  | { phase: 'idle' }
  | { phase: 'waiting'; loginId: string; authorizationUrl: string }
  | { phase: 'finishing' };

/** Everything the window shows. Holds no secret: the API never returns one to the renderer. */
export interface AppState {
  status: AgentStatus | null;
  roles: RoleSummary[];
  grants: LocalGrant[];
  /** Broker clock minus local clock, from the latest `now` received. */
  offsetMs: number;
  /** The local clock at the latest tick. */
  nowMs: number;
  login: LoginState;
  errors: Partial<Record<ErrorArea, string>>;
  /** Id of the grant created by the last successful request, to highlight it. */
  lastGrantId: string | null;
}

/** The state before anything has been loaded. */
export function initialState(nowMs: number): AppState {
  return {
    status: null,
    roles: [],
    grants: [],
    offsetMs: 0,
    nowMs,
    login: { phase: 'idle' },
    errors: {},
    lastGrantId: null,
  };
}

function withoutError(errors: AppState['errors'], area: ErrorArea): AppState['errors'] {
  const next = { ...errors };
  delete next[area];
  return next;
}

/** The agent status arrived at local time `receivedAtMs`. */
export function statusReceived(
  state: AppState,
  status: AgentStatus,
  receivedAtMs: number,
): AppState {
  return {
    ...state,
    status,
    offsetMs: clockOffsetMs(status.now, receivedAtMs),
    roles: status.loggedIn ? state.roles : [],
    grants: status.loggedIn ? state.grants : [],
    errors: withoutError(state.errors, 'status'),
  };
}

/** The role list arrived. */
export function rolesReceived(state: AppState, roles: RoleSummary[]): AppState {
  const sorted = [...roles].sort((a, b) => a.name.localeCompare(b.name));
  return { ...state, roles: sorted, errors: withoutError(state.errors, 'roles') };
}

/** The grant list arrived, stamped with the broker's `now`, at local time `receivedAtMs`. */
export function grantsReceived(
  state: AppState,
  grants: LocalGrant[],
  serverNow: string,
  receivedAtMs: number,
): AppState {
  return {
    ...state,
    grants,
    offsetMs: clockOffsetMs(serverNow, receivedAtMs),
    errors: withoutError(state.errors, 'grants'),
  };
}

/** A request created (or found) a grant: merge it in by id. */
export function grantRequested(state: AppState, grant: LocalGrant): AppState {
  const others = state.grants.filter((g) => g.id !== grant.id);
  return {
    ...state,
    grants: [...others, grant],
    lastGrantId: grant.id,
    errors: withoutError(state.errors, 'request'),
  };
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

/** Signed out: drop everything user-specific. */
export function signedOut(state: AppState): AppState {
  return {
    ...initialState(state.nowMs),
    status: state.status && { ...state.status, loggedIn: false, user: null },
  };
}
