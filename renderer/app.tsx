/** Root component: everything comes from the agent's pushed snapshots; only countdowns tick. */
import { useEffect, type ReactNode } from 'react';
import { useApp } from './store-context.tsx';
import { useView, useViewStore } from './view-context.tsx';
import { fullLayoutOpened, type ViewName } from './view-store.ts';
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
import { SettingsPanel } from './components/settings-panel.tsx';
import { ViewNav, viewId } from './components/view-nav.tsx';

function View({ name, children }: { name: ViewName; children: ReactNode }) {
  return (
    <div id={viewId(name)} className="view" data-view={name} tabIndex={-1}>
      {children}
    </div>
  );
}

function FullLayout() {
  return (
    <>
      <ViewNav />
      <NoticeList />
      <View name="active">
        <ActiveGrants />
        <PendingGrants />
      </View>
      <View name="approvals">
        <ApprovalsInbox />
      </View>
      <View name="request">
        <RequestForm />
      </View>
      <View name="history">
        <HistoryList />
      </View>
      <View name="roles">
        <RolesList />
      </View>
      <View name="settings">
        <SettingsPanel />
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
  const status = useApp((s) => s.status);
  const statusError = useApp((s) => s.errors.status);
  const actions = useApp((s) => s.actions);
  const layout = useView((s) => s.layout);
  const loggedIn = status?.loggedIn ?? false;

  // The agent's state arrives by push, never by polling; countdowns tick on their own clock store.
  useEffect(() => actions.start(), [actions]);

  return (
    <>
      <Header />
      <ConnectionBanner />
      <KeychainBanner />
      <main className="content">
        {statusError ? (
          <p className="error" role="alert" data-testid="status-error">
            {statusError}
          </p>
        ) : null}
        {status === null && !statusError ? <p className="muted">Connecting to the agent…</p> : null}
        {status !== null && !loggedIn ? <SignIn /> : null}
        {loggedIn ? layout === 'request-only' ? <RequestOnlyLayout /> : <FullLayout /> : null}
      </main>
    </>
  );
}
