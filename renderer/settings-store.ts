/** The Settings feature's store: loads and saves through the host, transitions pure. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Result } from '../protocol/result.ts';
import type { AppSettings, SettingsChange } from './settings.logic.ts';

/** How the host keeps settings (Electron main over IPC); absent in the console. */
export interface SettingsHost {
  getSettings(): Promise<Result<AppSettings>>;
  updateSettings(change: SettingsChange): Promise<Result<AppSettings>>;
}

/** What the Settings view shows. */
export type SettingsState =
  | { phase: 'unavailable' }
  | { phase: 'loading' }
  | {
      phase: 'ready';
      settings: AppSettings;
      saving: boolean;
      error: string | null;
      saved: boolean;
    };

/** Pure: an answer from the host arrived. */
export function settingsAnswered(state: SettingsState, answer: Result<AppSettings>): SettingsState {
  if (answer.ok)
    return {
      phase: 'ready',
      settings: answer.value,
      saving: false,
      error: null,
      saved: state.phase === 'ready' && state.saving,
    };
  if (state.phase === 'ready')
    return { ...state, saving: false, error: answer.error.message, saved: false };
  return { phase: 'unavailable' };
}

/** Pure: a save started. */
export function settingsSaving(state: SettingsState): SettingsState {
  return state.phase === 'ready' ? { ...state, saving: true, error: null, saved: false } : state;
}

/** The store plus its actions. */
export interface SettingsStoreApi {
  store: StoreApi<SettingsState>;
  load(): Promise<void>;
  save(change: SettingsChange): Promise<void>;
}

/** Creates the Settings store over `host` (null: the console, where settings do not apply). */
export function createSettingsStore(host: SettingsHost | null): SettingsStoreApi {
  const store = createStore<SettingsState>()(() =>
    host ? { phase: 'loading' } : { phase: 'unavailable' },
  );
  return {
    store,
    async load() {
      if (!host) return;
      const answer = await host.getSettings();
      store.setState((s) => settingsAnswered(s, answer), true);
    },
    async save(change) {
      if (!host) return;
      store.setState(settingsSaving, true);
      const answer = await host.updateSettings(change);
      store.setState((s) => settingsAnswered(s, answer), true);
    },
  };
}
