/** Renderer entry: pick the host's `window.hourglass` (Electron preload) or install the console bridge. */
import { StrictMode } from 'react';
import { config as zodConfig } from 'zod';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { installConsoleBridge } from './console-bridge.ts';
import { browserNotify, noNotify } from './browser-notify.ts';
import { createAppStore } from './store.ts';
import { grantFromFragment } from './fragment.logic.ts';
import { StoreContext } from './store-context.tsx';
import './styles.css';

// The CSP forbids eval; tell zod not to probe `new Function` (which would log a CSP violation).
zodConfig({ jitless: true });

const mode = window.hourglass ? 'electron' : 'console';
const api = installConsoleBridge(window);
// Electron shows notices from main with its own Notification; the console uses the browser's.
const store = createAppStore(api, mode, {
  notify: mode === 'console' ? browserNotify() : noNotify,
});
// A notification click opens the window on its grant: `#grant=<id>` (Electron) selects it.
const selectFromFragment = () => {
  const grantId = grantFromFragment(window.location.hash);
  if (grantId) store.getState().actions.selectGrant(grantId);
};
window.addEventListener('hashchange', selectFromFragment);
selectFromFragment();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}
