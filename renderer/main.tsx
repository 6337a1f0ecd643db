/** Renderer entry: pick the host's `window.hourglass` (Electron preload) or install the console bridge. */
import { StrictMode } from 'react';
import { config as zodConfig } from 'zod';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { installConsoleBridge } from './console-bridge.ts';
import { browserNotify, noNotify } from './browser-notify.ts';
import { createAppStore } from './store.ts';
import { createClockStore, startClock } from './clock-store.ts';
import { ClockContext } from './components/countdown.tsx';
import { SettingsContext } from './components/settings-panel.tsx';
import { KeychainHealthContext } from './components/keychain-banner.tsx';
import { createKeychainHealthStore } from './keychain-health-store.ts';
import { grantFromFragment } from './fragment.logic.ts';
import { createSettingsStore, type SettingsHost } from './settings-store.ts';
import { StoreContext } from './store-context.tsx';
import { ViewContext } from './view-context.tsx';
import { createViewStore, fragmentChanged } from './view-store.ts';
import './styles.css';

// The CSP forbids eval; tell zod not to probe `new Function` (which would log a CSP violation).
zodConfig({ jitless: true });

const mode = window.hourglass ? 'electron' : 'console';
const api = installConsoleBridge(window);
// Electron shows notices from main with its own Notification; the console uses the browser's.
const store = createAppStore(api, mode, {
  notify: mode === 'console' ? browserNotify() : noNotify,
});
const clock = createClockStore(Date.now());
startClock(clock);
const views = createViewStore(window.location.hash);
const settingsHost: SettingsHost | null =
  api.getSettings && api.updateSettings
    ? { getSettings: api.getSettings, updateSettings: api.updateSettings }
    : null;
const settings = createSettingsStore(settingsHost);
const keychainHealth = createKeychainHealthStore(api.getKeychainHealth ?? null);
// A notification click opens the window on its grant (`#grant=<id>`); a tray preset or link
// opens it pre-filled (`#request=…`).
const onFragment = () => {
  const grantId = grantFromFragment(window.location.hash);
  if (grantId) store.getState().actions.selectGrant(grantId);
  views.setState((s) => fragmentChanged(s, window.location.hash), true);
};
window.addEventListener('hashchange', onFragment);
onFragment();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <ClockContext.Provider value={clock}>
          <ViewContext.Provider value={views}>
            <SettingsContext.Provider value={settings}>
              <KeychainHealthContext.Provider value={keychainHealth}>
                <App />
              </KeychainHealthContext.Provider>
            </SettingsContext.Provider>
          </ViewContext.Provider>
        </ClockContext.Provider>
      </StoreContext.Provider>
    </StrictMode>,
  );
}
