/** The Grants feature: the user's own grants (active, pending, ended), the request outcome, the selection. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LocalGrant } from '../../protocol/agent-api.ts';
import type { Failure } from '../../protocol/result.ts';

/** Where a grants error is shown: the Active view or the request form. */
export type GrantsErrorArea = 'grants' | 'request';

/** What the Active, Request and History views show. */
export interface GrantsState {
  grants: LocalGrant[];
  /** Id of the grant created by the last successful request, to highlight it. */
  lastGrantId: string | null;
  /** Grant opened from a notice, a link or an "Extend instead" offer. */
  selectedGrantId: string | null;
  /** A request refused because the role is already held: offer Extend on this grant instead. */
  alreadyActive: { grantId: string } | null;
  errors: Partial<Record<GrantsErrorArea, string>>;
}

/** No grants known yet. */
export function initialGrants(): GrantsState {
  return { grants: [], lastGrantId: null, selectedGrantId: null, alreadyActive: null, errors: {} };
}

function withoutError(state: GrantsState, area: GrantsErrorArea): GrantsState['errors'] {
  const next = { ...state.errors };
  delete next[area];
  return next;
}

/** A snapshot carried the grants: it is the whole truth. */
export function grantsPushed(state: GrantsState, grants: LocalGrant[]): GrantsState {
  return { ...state, grants };
}

/**
 * An action answered with a grant: merge it in by id until the next snapshot says more. An
 * answer `overtaken` by a pushed snapshot (an "I'm done" answer landing after the wipe's
 * snapshot) only clears the error: the pushed view wins, and the agent pushes after every change.
 */
export function grantChanged(
  state: GrantsState,
  grant: LocalGrant,
  area: GrantsErrorArea,
  overtaken: boolean,
): GrantsState {
  if (overtaken) return { ...state, errors: withoutError(state, area) };
  const others = state.grants.filter((g) => g.id !== grant.id);
  return { ...state, grants: [grant, ...others], errors: withoutError(state, area) };
}

/** A request created (or found) a grant. */
export function grantRequested(
  state: GrantsState,
  grant: LocalGrant,
  overtaken: boolean,
): GrantsState {
  const merged = grantChanged(state, grant, 'request', overtaken);
  return { ...merged, lastGrantId: grant.id, alreadyActive: null };
}

/** A call failed: show its message in `area`. */
export function grantsFailed(
  state: GrantsState,
  area: GrantsErrorArea,
  failure: Failure,
): GrantsState {
  return { ...state, errors: { ...state.errors, [area]: failure.message } };
}

/** A request was refused because the role is already held by `failure.grantId`. */
export function requestAlreadyActive(state: GrantsState, failure: Failure): GrantsState {
  const next = grantsFailed(state, 'request', failure);
  return failure.grantId ? { ...next, alreadyActive: { grantId: failure.grantId } } : next;
}

/** A grant was opened (from a notice, a link, or the "Extend instead" offer). */
export function grantSelected(state: GrantsState, grantId: string | null): GrantsState {
  return { ...state, selectedGrantId: grantId, alreadyActive: null };
}

/** The grants store. */
export type GrantsStore = StoreApi<GrantsState>;

/** Creates the grants store. */
export function createGrantsStore(): GrantsStore {
  return createStore<GrantsState>()(initialGrants);
}
