/** The keychain banner's store: the desktop app's probe result, re-read when the window gains focus. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Result } from '../protocol/result.ts';
import { keychainHealthSchema, type KeychainHealth } from './keychain-health.logic.ts';

/** What the banner knows. */
export interface KeychainHealthState {
  health: KeychainHealth | null;
}

/** Pure: an answer arrived; anything that does not parse is treated as "nothing to show". */
export function keychainHealthAnswered(
  state: KeychainHealthState,
  answer: Result<unknown>,
): KeychainHealthState {
  if (!answer.ok) return state;
  const parsed = keychainHealthSchema.nullable().safeParse(answer.value);
  return parsed.success ? { health: parsed.data } : state;
}

/** The store and its loader. */
export interface KeychainHealthStoreApi {
  store: StoreApi<KeychainHealthState>;
  load(): Promise<void>;
}

/** Creates the store over the host's `getKeychainHealth` (absent in the console). */
export function createKeychainHealthStore(
  get: (() => Promise<Result<unknown>>) | null,
): KeychainHealthStoreApi {
  const store = createStore<KeychainHealthState>()(() => ({ health: null }));
  return {
    store,
    async load() {
      if (!get) return;
      const answer = await get();
      store.setState((s) => keychainHealthAnswered(s, answer), true);
    },
  };
}
