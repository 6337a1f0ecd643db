/** React access to the view store (layout, request pre-fill). */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ViewState, ViewStore } from './view-store.ts';

/** Context carrying the view store. */
export const ViewContext = createContext<ViewStore | null>(null);

/** The view store itself (for transitions). */
export function useViewStore(): ViewStore {
  const store = useContext(ViewContext);
  if (!store) throw new Error('useView needs a ViewContext provider');
  return store;
}

/** Selects from the view store. */
export function useView<T>(selector: (state: ViewState) => T): T {
  return useStore(useViewStore(), selector);
}
