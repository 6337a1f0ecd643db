/** React access to the app store. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState } from './app-state.ts';
import type { AppActions, AppStore } from './store.ts';

/** Context carrying the one app store. */
export const StoreContext = createContext<AppStore | null>(null);

/** Selects from the app store; throws only on a wiring bug (no provider). */
export function useApp<T>(selector: (state: AppState & { actions: AppActions }) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp needs a StoreContext provider');
  return useStore(store, selector);
}
