/** Renderer entry: pick the host's `window.hourglass` (Electron preload) or install the console bridge. */
import { StrictMode } from 'react';
import { config as zodConfig } from 'zod';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { Providers } from './providers.tsx';
import { installConsoleBridge } from './console-bridge.ts';
import { browserNotify, noNotify } from './browser-notify.ts';
import { createAgentApp } from './store.ts';
import { createRequestDraftStore, followPrefills } from './stores/request-draft.ts';
import { createClockStore, startClock } from './clock-store.ts';
import { createKeychainHealthStore } from './keychain-health-store.ts';
import { grantFromFragment } from './fragment.logic.ts';
import { createSettingsStore, type SettingsHost } from './settings-store.ts';
import { createViewStore, fragmentChanged, routeChanged } from './view-store.ts';
import './styles.css';

// The CSP forbids eval; tell zod not to probe `new Function` (which would log a CSP violation).
zodConfig({ jitless: true });

const mode = window.hourglass ? 'electron' : 'console';
const api = installConsoleBridge(window);
const views = createViewStore(window.location.hash);
// Electron shows notices from main with its own Notification; the console uses the browser's.
const agent = createAgentApp(api, mode, {
  notify: mode === 'console' ? browserNotify() : noNotify,
  onGrantOpened: (grantId) => views.setState((s) => routeChanged(s, { kind: 'grant', grantId })),
});
const clock = createClockStore(Date.now());
startClock(clock);
const settingsHost: SettingsHost | null =
  api.getSettings && api.updateSettings
    ? { getSettings: api.getSettings, updateSettings: api.updateSettings }
    : null;
const settings = createSettingsStore(settingsHost);
const keychainHealth = createKeychainHealthStore(api.getKeychainHealth ?? null);
// `#/<view>` navigates; a notification click or the tray opens the window on a grant
// (`#grant=<id>`); a tray preset or link opens it pre-filled (`#request=…`).
const requestDraft = createRequestDraftStore();
followPrefills(views, requestDraft);
const onFragment = () => {
  const grantId = grantFromFragment(window.location.hash);
  if (grantId) agent.actions.selectGrant(grantId);
  views.setState((s) => fragmentChanged(s, window.location.hash), true);
};
window.addEventListener('hashchange', onFragment);
onFragment();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Providers stores={{ agent, clock, views, settings, keychainHealth, requestDraft }}>
        <App />
      </Providers>
    </StrictMode>,
  );
}
