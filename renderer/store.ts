/** The zustand store: the imperative shell over `window.hourglass`, fed by the agent's pushes. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AgentPush } from '../protocol/agent-api.ts';
import type { CreateRequestBody } from '../protocol/broker-api.ts';
import { assertNever } from '../protocol/errors.ts';
import type { Result } from '../protocol/result.ts';
import {
  failed,
  grantChanged,
  grantRequested,
  grantSelected,
  initialState,
  loginChanged,
  noticeDismissed,
  noticeReceived,
  requestAlreadyActive,
  rolesReceived,
  signedOut,
  snapshotReceived,
  ticked,
  type AppState,
  type ErrorArea,
} from './app-state.ts';
import { noNotify, type NotifyPermission, type NotifyPort } from './browser-notify.ts';
import type { HourglassHost } from './host-api.ts';
import { openSignInTab, type SignInTab } from './sign-in-tab.ts';
import type { LocalGrant } from '../protocol/agent-api.ts';

/** How the renderer is hosted: Electron opens the system browser itself; the console is the browser. */
export type HostMode = 'electron' | 'console';

/** Actions the views call. Each one reports failures into state, never throws. */
export interface AppActions {
  /** Subscribes to pushes and loads the first snapshot; answers the unsubscribe. */
  start: () => () => void;
  refreshRoles: () => Promise<void>;
  signIn: () => Promise<void>;
  /**
   * Signs out; `endGrants` also ends the user's active grants at the broker first. In the console
   * the IdP's end-session page opens in a tab, so the next sign-in asks who you are.
   */
  signOut: (endGrants: boolean) => Promise<void>;
  requestGrant: (body: CreateRequestBody) => Promise<boolean>;
  extendGrant: (grantId: string, durationSeconds: number) => Promise<boolean>;
  /** "I'm done": ends the grant now; the agent wipes its secret. */
  endGrant: (grantId: string) => Promise<boolean>;
  cancelGrant: (grantId: string) => Promise<boolean>;
  approveGrant: (grantId: string, comment: string) => Promise<boolean>;
  denyGrant: (grantId: string, comment: string) => Promise<boolean>;
  selectGrant: (grantId: string | null) => void;
  dismissNotice: (id: string) => void;
  /** Asks for notification permission (call from a click). */
  enableNotifications: () => Promise<NotifyPermission>;
  tick: (nowMs: number) => void;
}

/** The store the views subscribe to. */
export type AppStore = StoreApi<AppState & { actions: AppActions }>;

/** Ports of the store, injectable for tests. */
export interface StorePorts {
  clock?: () => number;
  openTab?: () => SignInTab;
  notify?: NotifyPort;
}

/** Builds the store over the host API. */
export function createAppStore(
  api: HourglassHost,
  mode: HostMode,
  ports: StorePorts = {},
): AppStore {
  const clock = ports.clock ?? (() => Date.now());
  const openTab = ports.openTab ?? openSignInTab;
  const notify = ports.notify ?? noNotify;
  return createStore<AppState & { actions: AppActions }>()((set, get) => {
    const apply = (next: (s: AppState) => AppState) =>
      set((s) => ({ ...next(s), actions: s.actions }));

    const onPush = (push: AgentPush) => {
      switch (push.type) {
        case 'snapshot': {
          const wasIn = get().status?.loggedIn === true;
          const at = clock();
          apply((s) => snapshotReceived(s, push.snapshot, at));
          if (push.snapshot.status.loggedIn && (!wasIn || get().roles.length === 0))
            void actions.refreshRoles();
          return;
        }
        case 'notice':
          apply((s) => noticeReceived(s, push.notice));
          notify.show(push.notice, () => actions.selectGrant(push.notice.grantId));
          return;
        default:
          return assertNever(push);
      }
    };

    const loadSnapshot = async () => {
      const r = await api.getSnapshot({});
      if (r.ok) onPush({ type: 'snapshot', snapshot: r.value });
      else apply((s) => failed(s, 'status', r.error));
    };

    const grantAction = async (
      area: ErrorArea,
      call: Promise<Result<{ grant: LocalGrant }>>,
    ): Promise<boolean> => {
      const sentAt = get().snapshotCount;
      const r = await call;
      apply((s) =>
        r.ok ? grantChanged(s, r.value.grant, area, sentAt) : failed(s, area, r.error),
      );
      return r.ok;
    };

    const actions: AppActions = {
      start() {
        const stop = api.onPush(onPush);
        void loadSnapshot();
        return stop;
      },
      async refreshRoles() {
        const r = await api.listRoles({});
        apply((s) => (r.ok ? rolesReceived(s, r.value.roles) : failed(s, 'roles', r.error)));
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
        await Promise.all([loadSnapshot(), actions.refreshRoles()]);
        apply((s) => loginChanged(s, { phase: 'idle' }));
      },
      async signOut(endGrants) {
        // Open the tab inside the click (popup blockers), then point it at the IdP's logout page.
        const tab = mode === 'console' ? openTab() : null;
        const r = await api.logout({ endGrants });
        if (r.ok && r.value.endSessionUrl) tab?.navigate(r.value.endSessionUrl);
        else tab?.close();
        apply((s) => (r.ok ? signedOut(s) : failed(s, 'status', r.error)));
        await loadSnapshot();
      },
      async requestGrant(body) {
        const sentAt = get().snapshotCount;
        const r = await api.requestGrant(body);
        if (r.ok) apply((s) => grantRequested(s, r.value.grant, sentAt));
        else if (r.error.code === 'already_active') apply((s) => requestAlreadyActive(s, r.error));
        else apply((s) => failed(s, 'request', r.error));
        return r.ok;
      },
      extendGrant: (grantId, durationSeconds) =>
        grantAction('grants', api.extendGrant({ grantId, durationSeconds })),
      endGrant: (grantId) =>
        grantAction('grants', api.revokeGrant({ grantId, reason: "I'm done" })),
      cancelGrant: (grantId) => grantAction('grants', api.cancelGrant({ grantId })),
      approveGrant: (grantId, comment) =>
        grantAction('approvals', api.approveGrant({ grantId, ...(comment ? { comment } : {}) })),
      denyGrant: (grantId, comment) =>
        grantAction('approvals', api.denyGrant({ grantId, ...(comment ? { comment } : {}) })),
      selectGrant(grantId) {
        apply((s) => grantSelected(s, grantId));
      },
      dismissNotice(id) {
        apply((s) => noticeDismissed(s, id));
      },
      enableNotifications: () => notify.request(),
      tick(nowMs) {
        apply((s) => ticked(s, nowMs));
      },
    };
    return { ...initialState(clock()), actions };
  });
}
