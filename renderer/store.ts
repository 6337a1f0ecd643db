/** The zustand store: the imperative shell that calls `window.hourglass` and applies pure transitions. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RendererApi } from '../protocol/agent-api.ts';
import type { CreateRequestBody } from '../protocol/broker-api.ts';
import {
  failed,
  grantRequested,
  grantsReceived,
  initialState,
  loginChanged,
  rolesReceived,
  signedOut,
  statusReceived,
  ticked,
  type AppState,
} from './app-state.ts';
import { openSignInTab, type SignInTab } from './sign-in-tab.ts';

/** How the renderer is hosted: Electron opens the system browser itself; the console is the browser. */
export type HostMode = 'electron' | 'console';

/** Actions the views call. Each one reports failures into state, never throws. */
export interface AppActions {
  refreshStatus: () => Promise<void>;
  refreshRoles: () => Promise<void>;
  refreshGrants: () => Promise<void>;
  signIn: () => Promise<void>;
  signOut: () => Promise<void>;
  requestGrant: (body: CreateRequestBody) => Promise<boolean>;
  tick: (nowMs: number) => void;
}

/** The store the views subscribe to. */
export type AppStore = StoreApi<AppState & { actions: AppActions }>;

/** Builds the store over a renderer API; `clock` and `openTab` are ports for tests. */
export function createAppStore(
  api: RendererApi,
  mode: HostMode,
  clock: () => number = () => Date.now(),
  openTab: () => SignInTab = openSignInTab,
): AppStore {
  return createStore<AppState & { actions: AppActions }>()((set, get) => {
    const apply = (next: (s: AppState) => AppState) =>
      set((s) => ({ ...next(s), actions: s.actions }));

    const refreshAfterLogin = async () => {
      await actions.refreshStatus();
      if (get().status?.loggedIn)
        await Promise.all([actions.refreshRoles(), actions.refreshGrants()]);
    };

    const actions: AppActions = {
      async refreshStatus() {
        const r = await api.getStatus({});
        const at = clock();
        apply((s) => (r.ok ? statusReceived(s, r.value, at) : failed(s, 'status', r.error)));
      },
      async refreshRoles() {
        const r = await api.listRoles({});
        apply((s) => (r.ok ? rolesReceived(s, r.value.roles) : failed(s, 'roles', r.error)));
      },
      async refreshGrants() {
        const r = await api.listGrants({});
        const at = clock();
        apply((s) =>
          r.ok ? grantsReceived(s, r.value.grants, r.value.now, at) : failed(s, 'grants', r.error),
        );
      },
      async signIn() {
        // Open the tab inside the click so popup blockers allow it; it is pointed at the IdP below.
        const tab = mode === 'console' ? openTab() : null;
        const begun = await api.beginLogin({ openBrowser: mode === 'electron' });
        if (!begun.ok) {
          tab?.close();
          apply((s) => failed(s, 'login', begun.error));
          return;
        }
        const { loginId, authorizationUrl } = begun.value;
        tab?.navigate(authorizationUrl);
        apply((s) => loginChanged(s, { phase: 'waiting', loginId, authorizationUrl }));
        const done = await api.awaitLogin({ loginId });
        if (!done.ok) {
          apply((s) => failed(s, 'login', done.error));
          return;
        }
        apply((s) => loginChanged(s, { phase: 'finishing' }));
        await refreshAfterLogin();
        apply((s) => loginChanged(s, { phase: 'idle' }));
      },
      async signOut() {
        const r = await api.logout({});
        apply((s) => (r.ok ? signedOut(s) : failed(s, 'status', r.error)));
        await actions.refreshStatus();
      },
      async requestGrant(body) {
        const r = await api.requestGrant(body);
        apply((s) => (r.ok ? grantRequested(s, r.value.grant) : failed(s, 'request', r.error)));
        if (r.ok) await actions.refreshGrants();
        return r.ok;
      },
      tick(nowMs) {
        apply((s) => ticked(s, nowMs));
      },
    };
    return { ...initialState(clock()), actions };
  });
}
