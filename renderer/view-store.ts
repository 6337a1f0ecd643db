/**
 * The window's layout, route and request pre-fill: a store of its own, fed by the URL fragment.
 * `#/<view>` and `#grant=<id>` pick the view; `#request=…` (a tray preset or deep link) opens the
 * compact request-only layout pre-filled.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { requestPrefillFromFragment, type RequestPrefill } from './request-prefill.logic.ts';
import { homeRoute, routeFromFragment, type Route } from './view-route.logic.ts';

export { viewNames, type ViewName } from './view-route.logic.ts';

/** What the view store holds. */
export interface ViewState {
  /** `request-only`: the small window a tray preset or a link opens. */
  layout: 'full' | 'request-only';
  route: Route;
  /** Bumped with each route change the user or a link made, so focus can follow it. */
  routeCount: number;
  prefill: RequestPrefill | null;
  /** Bumped with each pre-fill, so the same link opened twice fills the form again. */
  prefillCount: number;
}

/** Pure: the window went to `route` (a navigation link, a notice, a link to a grant). */
export function routeChanged(state: ViewState, route: Route): ViewState {
  return { ...state, layout: 'full', route, routeCount: state.routeCount + 1 };
}

/** Pure: the state after the fragment became `hash` (page load or `hashchange`). */
export function fragmentChanged(state: ViewState, hash: string): ViewState {
  const route = routeFromFragment(hash);
  if (route) return routeChanged(state, route);
  const prefill = requestPrefillFromFragment(hash);
  if (prefill === null) return state;
  return { ...state, layout: 'request-only', prefill, prefillCount: state.prefillCount + 1 };
}

/** Pure: the user asked for the full window from the compact one. */
export function fullLayoutOpened(state: ViewState): ViewState {
  return { ...state, layout: 'full' };
}

/** The view store. */
export type ViewStore = StoreApi<ViewState>;

/** The state of a window opened with no fragment. */
export const initialView: ViewState = {
  layout: 'full',
  route: homeRoute,
  routeCount: 0,
  prefill: null,
  prefillCount: 0,
};

/** Creates the view store from the fragment the page was opened with (not counted as a move). */
export function createViewStore(hash: string): ViewStore {
  const opened = fragmentChanged(initialView, hash);
  return createStore<ViewState>()(() => ({ ...opened, routeCount: 0 }));
}
