/**
 * The imperative shell over `window.hourglass`: the agent's pushes routed to the per-feature
 * stores, and the actions the views call. Each action reports failures into its feature's
 * store (a pure transition), never throws.
 */
import type { AgentPush, LocalGrant } from '../protocol/agent-api.ts';
import type { CreateRequestBody } from '../protocol/broker-api.ts';
import { assertNever } from '../protocol/errors.ts';
import { displaySafe } from '../protocol/plain-text.ts';
import type { Result } from '../protocol/result.ts';
import { noNotify, type NotifyPermission, type NotifyPort } from './browser-notify.ts';
import type { HourglassHost } from './host-api.ts';
import { openSignInTab, type SignInTab } from './sign-in-tab.ts';
import {
  createAgentStores,
  routeNotice,
  routeSignedOut,
  routeSnapshot,
  type AgentStores,
} from './stores/agent-stores.ts';
import { approvalDecided, approvalsFailed } from './stores/approvals.ts';
import {
  grantChanged,
  grantRequested,
  grantSelected,
  grantsFailed,
  requestAlreadyActive,
} from './stores/grants.ts';
import { noticeDismissed } from './stores/notices.ts';
import { rolesFailed, rolesReceived } from './stores/roles.ts';
import { linkChanged, loginChanged, sessionFailed } from './stores/session.ts';

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
   * the IdP's end-session page opens in a tab (the desktop app's main process opens it itself),
   * so the next sign-in asks who you are.
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
}

/** The feature stores plus the actions over them. */
export interface AgentApp {
  stores: AgentStores;
  actions: AppActions;
}

/** Ports of the shell, injectable for tests. */
export interface StorePorts {
  clock?: () => number;
  openTab?: () => SignInTab;
  notify?: NotifyPort;
  /** A grant was opened (a notice, "Extend instead"): the window goes to the view showing it. */
  onGrantOpened?: (grantId: string) => void;
}

type GrantAnswer = Promise<Result<{ grant: LocalGrant }>>;

/** Builds the stores and actions over the host API. */
export function createAgentApp(
  api: HourglassHost,
  mode: HostMode,
  ports: StorePorts = {},
): AgentApp {
  const clock = ports.clock ?? (() => Date.now());
  const openTab = ports.openTab ?? openSignInTab;
  const notify = ports.notify ?? noNotify;
  const stores = createAgentStores();
  const { session, grants, approvals, roles, notices } = stores;
  const snapshots = () => session.getState().snapshotCount;

  const onPush = (received: AgentPush) => {
    // Everything the view shows comes through here: broker and IdP text made inert once, so a
    // control or bidi character can neither act nor reorder what is read (issue 18, finding 4).
    const push = displaySafe(received);
    switch (push.type) {
      case 'snapshot': {
        const wasIn = session.getState().status?.loggedIn === true;
        if (!routeSnapshot(stores, push.snapshot, clock())) return;
        if (push.snapshot.status.loggedIn && (!wasIn || roles.getState().roles.length === 0))
          void actions.refreshRoles();
        return;
      }
      case 'notice':
        routeNotice(stores, push.notice);
        notify.show(push.notice, () => actions.selectGrant(push.notice.grantId));
        return;
      default:
        return assertNever(push);
    }
  };

  const loadSnapshot = async () => {
    const r = await api.getSnapshot({});
    if (r.ok) onPush({ type: 'snapshot', snapshot: r.value });
    else session.setState((s) => sessionFailed(s, 'status', r.error), true);
  };

  const ownGrantAction = async (call: GrantAnswer): Promise<boolean> => {
    const sentAt = snapshots();
    const r = await call;
    const overtaken = sentAt !== snapshots();
    grants.setState(
      (s) =>
        r.ok
          ? grantChanged(s, r.value.grant, 'grants', overtaken)
          : grantsFailed(s, 'grants', r.error),
      true,
    );
    return r.ok;
  };

  const decision = async (call: GrantAnswer): Promise<boolean> => {
    const sentAt = snapshots();
    const r = await call;
    const overtaken = sentAt !== snapshots();
    approvals.setState(
      (s) => (r.ok ? approvalDecided(s, r.value.grant, overtaken) : approvalsFailed(s, r.error)),
      true,
    );
    return r.ok;
  };

  const actions: AppActions = {
    start() {
      const stop = api.onPush(onPush);
      const stopLink = api.onLink?.((link) => session.setState((s) => linkChanged(s, link), true));
      void loadSnapshot();
      return () => {
        stop();
        stopLink?.();
      };
    },
    async refreshRoles() {
      const r = await api.listRoles({});
      roles.setState(
        (s) => (r.ok ? rolesReceived(s, r.value.roles) : rolesFailed(s, r.error)),
        true,
      );
    },
    async signIn() {
      // Open the tab inside the click so popup blockers allow it; it is pointed at the IdP below.
      const tab = mode === 'console' ? openTab() : null;
      const begun = await api.beginLogin({ openBrowser: mode === 'electron' });
      if (!begun.ok) {
        tab?.close();
        session.setState((s) => sessionFailed(s, 'login', begun.error), true);
        return;
      }
      const { loginId, authorizationUrl } = begun.value;
      tab?.navigate(authorizationUrl);
      session.setState(
        (s) => loginChanged(s, { phase: 'waiting', loginId, authorizationUrl }),
        true,
      );
      const done = await api.awaitLogin({ loginId });
      if (!done.ok) {
        session.setState((s) => sessionFailed(s, 'login', done.error), true);
        return;
      }
      session.setState((s) => loginChanged(s, { phase: 'finishing' }), true);
      await Promise.all([loadSnapshot(), actions.refreshRoles()]);
      session.setState((s) => loginChanged(s, { phase: 'idle' }), true);
    },
    async signOut(endGrants) {
      // Open the tab inside the click (popup blockers), then point it at the IdP's logout page.
      const tab = mode === 'console' ? openTab() : null;
      const r = await api.logout({ endGrants });
      if (r.ok && r.value.endSessionUrl) tab?.navigate(r.value.endSessionUrl);
      else tab?.close();
      if (r.ok) routeSignedOut(stores);
      else session.setState((s) => sessionFailed(s, 'status', r.error), true);
      await loadSnapshot();
    },
    async requestGrant(body) {
      const sentAt = snapshots();
      const r = await api.requestGrant(body);
      const overtaken = sentAt !== snapshots();
      grants.setState((s) => {
        if (r.ok) return grantRequested(s, r.value.grant, overtaken);
        if (r.error.code === 'already_active') return requestAlreadyActive(s, r.error);
        return grantsFailed(s, 'request', r.error);
      }, true);
      return r.ok;
    },
    extendGrant: (grantId, durationSeconds) =>
      ownGrantAction(api.extendGrant({ grantId, durationSeconds })),
    endGrant: (grantId) => ownGrantAction(api.revokeGrant({ grantId, reason: "I'm done" })),
    cancelGrant: (grantId) => ownGrantAction(api.cancelGrant({ grantId })),
    approveGrant: (grantId, comment) =>
      decision(api.approveGrant({ grantId, ...(comment ? { comment } : {}) })),
    denyGrant: (grantId, comment) =>
      decision(api.denyGrant({ grantId, ...(comment ? { comment } : {}) })),
    selectGrant(grantId) {
      grants.setState((s) => grantSelected(s, grantId), true);
      if (grantId !== null) ports.onGrantOpened?.(grantId);
    },
    dismissNotice(id) {
      notices.setState((s) => noticeDismissed(s, id), true);
    },
    enableNotifications: () => notify.request(),
  };
  return { stores, actions };
}
