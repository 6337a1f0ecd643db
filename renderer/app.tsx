/** Root component: everything comes from the agent's pushed snapshots; only the clock ticks here. */
import { useEffect } from 'react';
import { useApp } from './store-context.tsx';
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

/** Root component. */
export function App() {
  const status = useApp((s) => s.status);
  const statusError = useApp((s) => s.errors.status);
  const actions = useApp((s) => s.actions);
  const loggedIn = status?.loggedIn ?? false;

  useEffect(() => {
    const stop = actions.start();
    // The countdown ticks locally; the agent's state arrives by push, never by polling.
    const timer = setInterval(() => actions.tick(Date.now()), 1000);
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [actions]);

  return (
    <>
      <Header />
      <ConnectionBanner />
      <main className="content">
        {statusError ? (
          <p className="error" role="alert" data-testid="status-error">
            {statusError}
          </p>
        ) : null}
        {status === null && !statusError ? <p className="muted">Connecting to the agent…</p> : null}
        {status !== null && !loggedIn ? <SignIn /> : null}
        {loggedIn ? (
          <>
            <NoticeList />
            <ActiveGrants />
            <PendingGrants />
            <ApprovalsInbox />
            <RequestForm />
            <HistoryList />
            <RolesList />
          </>
        ) : null}
      </main>
    </>
  );
}
