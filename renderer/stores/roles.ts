/** The Roles feature: the roles the signed-in user may request, with their policy. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RoleSummary } from '../../protocol/broker-api.ts';
import type { Failure } from '../../protocol/result.ts';

/** What the Roles view and the request form list. */
export interface RolesState {
  roles: RoleSummary[];
  error: string | null;
}

/** No roles loaded. */
export function initialRoles(): RolesState {
  return { roles: [], error: null };
}

/** The role list arrived, sorted by name. */
export function rolesReceived(_state: RolesState, roles: RoleSummary[]): RolesState {
  return { roles: [...roles].sort((a, b) => a.name.localeCompare(b.name)), error: null };
}

/** Loading the roles failed. */
export function rolesFailed(state: RolesState, failure: Failure): RolesState {
  return { ...state, error: failure.message };
}

/** A snapshot said whether anyone is signed in: signed out, nobody's roles are shown. */
export function rolesSessionChanged(state: RolesState, loggedIn: boolean): RolesState {
  return loggedIn || state.roles.length === 0 ? state : { ...state, roles: [] };
}

/** The roles store. */
export type RolesStore = StoreApi<RolesState>;

/** Creates the roles store. */
export function createRolesStore(): RolesStore {
  return createStore<RolesState>()(initialRoles);
}
