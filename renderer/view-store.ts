/**
 * The window's layout and the request pre-fill: a store of its own, fed by the URL fragment.
 * `#request=…` (a tray preset or deep link) opens the compact request-only layout pre-filled.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { requestPrefillFromFragment, type RequestPrefill } from './request-prefill.logic.ts';

/** The views of the full layout, in the order the navigation lists them. */
export const viewNames = [
  'active',
  'request',
  'approvals',
  'history',
  'roles',
  'settings',
] as const;
/** One view. */
export type ViewName = (typeof viewNames)[number];

/** What the view store holds. */
export interface ViewState {
  /** `request-only`: the small window a tray preset or a link opens. */
  layout: 'full' | 'request-only';
  prefill: RequestPrefill | null;
  /** Bumped with each pre-fill, so the same link opened twice fills the form again. */
  prefillCount: number;
}

/** Pure: the state after the fragment became `hash` (page load or `hashchange`). */
export function fragmentChanged(state: ViewState, hash: string): ViewState {
  const prefill = requestPrefillFromFragment(hash);
  if (prefill === null) return state;
  return { layout: 'request-only', prefill, prefillCount: state.prefillCount + 1 };
}

/** Pure: the user asked for the full window from the compact one. */
export function fullLayoutOpened(state: ViewState): ViewState {
  return { ...state, layout: 'full' };
}

/** The view store. */
export type ViewStore = StoreApi<ViewState>;

/** Creates the view store from the fragment the page was opened with. */
export function createViewStore(hash: string): ViewStore {
  const initial: ViewState = { layout: 'full', prefill: null, prefillCount: 0 };
  return createStore<ViewState>()(() => fragmentChanged(initial, hash));
}
