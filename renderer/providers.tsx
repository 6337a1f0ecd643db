/** Every store the window's views read, handed down by context (one place, shared with tests). */
import type { ReactNode } from 'react';
import type { ClockStore } from './clock-store.ts';
import { ClockContext } from './components/countdown.tsx';
import { KeychainHealthContext } from './components/keychain-banner.tsx';
import { SettingsContext } from './components/settings-panel.tsx';
import type { KeychainHealthStoreApi } from './keychain-health-store.ts';
import type { SettingsStoreApi } from './settings-store.ts';
import { RequestDraftContext } from './components/request-form.tsx';
import type { RequestDraftStore } from './stores/request-draft.ts';
import type { AgentApp } from './store.ts';
import { StoreContext } from './store-context.tsx';
import { ViewContext } from './view-context.tsx';
import type { ViewStore } from './view-store.ts';

/** The window's stores: the agent's features, the clock, the route, settings, keychain health, the request draft. */
export interface WindowStores {
  agent: AgentApp;
  clock: ClockStore;
  views: ViewStore;
  settings: SettingsStoreApi;
  keychainHealth: KeychainHealthStoreApi;
  requestDraft: RequestDraftStore;
}

/** Provides `stores` to `children`. */
export function Providers({ stores, children }: { stores: WindowStores; children: ReactNode }) {
  return (
    <StoreContext.Provider value={stores.agent}>
      <ClockContext.Provider value={stores.clock}>
        <ViewContext.Provider value={stores.views}>
          <SettingsContext.Provider value={stores.settings}>
            <KeychainHealthContext.Provider value={stores.keychainHealth}>
              <RequestDraftContext.Provider value={stores.requestDraft}>
                {children}
              </RequestDraftContext.Provider>
            </KeychainHealthContext.Provider>
          </SettingsContext.Provider>
        </ViewContext.Provider>
      </ClockContext.Provider>
    </StoreContext.Provider>
  );
}
