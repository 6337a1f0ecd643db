/** Root component: everything comes from the agent's pushed snapshots; only countdowns tick. */
import { useEffect, useRef, type ReactNode } from 'react';
import { assertNever } from '../protocol/errors.ts';
import { useActions, useApprovals, useGrants, useSession } from './store-context.tsx';
import { useView, useViewStore } from './view-context.tsx';
import { fullLayoutOpened } from './view-store.ts';
import { viewForGrant, viewHash, type ViewName } from './view-route.logic.ts';
import { Header } from './components/header.tsx';
import { SignIn } from './components/sign-in.tsx';
import { RolesList } from './components/roles-list.tsx';
import { RequestForm } from './components/request-form.tsx';
import { ActiveGrants } from './components/active-grants.tsx';
import { PendingGrants } from './components/pending-grants.tsx';
import { ApprovalsInbox } from './components/approvals-inbox.tsx';
import { HistoryList } from './components/history-list.tsx';
import { NoticeList } from './components/notice-list.tsx';
import { ConnectionBanner } from './components/connection-banner.tsx';
import { KeychainBanner } from './components/keychain-banner.tsx';
import { IrrevocableBanner } from './components/irrevocable-banner.tsx';
import { SettingsPanel } from './components/settings-panel.tsx';
import { ViewNav, viewId, viewTitles } from './components/view-nav.tsx';
import { disconnectedMessage } from './console-link.logic.ts';

/** The view the route shows now; a `#grant=` route follows the grant as snapshots arrive. */
function useCurrentView(): ViewName {
  const route = useView((s) => s.route);
  const grantId = route.kind === 'grant' ? route.grantId : null;
  const awaitsMe = useApprovals((s) => s.approvals.some((a) => a.grant.id === grantId));
  const ownStatus = useGrants((s) => s.grants.find((g) => g.id === grantId)?.status ?? null);
  return route.kind === 'view' ? route.view : viewForGrant(awaitsMe, ownStatus);
}

/** One view; keyboard focus moves into it when the user (or a link) navigated there. */
function View({ name, children }: { name: ViewName; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const routeCount = useView((s) => s.routeCount);
  useEffect(() => {
    if (routeCount > 0) ref.current?.focus();
  }, [routeCount, name]);
  return (
    <div
      ref={ref}
      id={viewId(name)}
      className="view"
      data-view={name}
      tabIndex={-1}
      aria-label={viewTitles[name]}
      role="region"
    >
      {children}
    </div>
  );
}

function CurrentView({ view }: { view: ViewName }) {
  switch (view) {
    case 'active':
      return (
        <>
          <ActiveGrants />
          <PendingGrants />
        </>
      );
    case 'request':
      // After a request the window shows it counting down (or waiting for approval) in Active.
      return <RequestForm onRequested={() => (window.location.hash = viewHash('active'))} />;
    case 'approvals':
      return <ApprovalsInbox />;
    case 'history':
      return <HistoryList />;
    case 'roles':
      return <RolesList />;
    case 'settings':
      return <SettingsPanel />;
    default:
      return assertNever(view);
  }
}

function FullLayout() {
  const view = useCurrentView();
  const waiting = useApprovals((s) => s.approvals.length);
  return (
    <>
      <ViewNav current={view} badges={{ approvals: waiting }} />
      <NoticeList />
      <View key={view} name={view}>
        <CurrentView view={view} />
      </View>
    </>
  );
}

/** The small window a tray preset or an `hourglass://` link opens: the request form, pre-filled. */
function RequestOnlyLayout() {
  const views = useViewStore();
  return (
    <>
      <RequestForm />
      <PendingGrants />
      <button type="button" className="secondary" onClick={() => views.setState(fullLayoutOpened)}>
        Open the full window
      </button>
    </>
  );
}

/** Root component. */
export function App() {
  const status = useSession((s) => s.status);
  const statusError = useSession((s) => s.errors.status);
  const { start } = useActions();
  const layout = useView((s) => s.layout);
  const link = useSession((s) => s.link);
  const loggedIn = status?.loggedIn ?? false;

  // The agent's state arrives by push, never by polling; countdowns tick on their own clock store.
  useEffect(() => start(), [start]);

  return (
    <>
      <Header />
      <ConnectionBanner />
      <KeychainBanner />
      <IrrevocableBanner />
      <main className="content">
        {link === 'disconnected' ? (
          // A stopped agent's grants are not shown counting down as if they were live.
          <p className="error" role="alert" data-testid="disconnected">
            {disconnectedMessage}
          </p>
        ) : (
          <>
            {statusError ? (
              <p className="error" role="alert" data-testid="status-error">
                {statusError}
              </p>
            ) : null}
            {status === null && !statusError ? (
              <p className="muted">Connecting to the agent…</p>
            ) : null}
            {status !== null && !loggedIn ? <SignIn /> : null}
            {loggedIn ? layout === 'request-only' ? <RequestOnlyLayout /> : <FullLayout /> : null}
          </>
        )}
      </main>
    </>
  );
}
