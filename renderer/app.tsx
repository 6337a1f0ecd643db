/** The Hourglass window: header, sign-in or roles + request form + grants. */
import { useEffect } from 'react';
import { useApp } from './store-context.tsx';
import { Header } from './components/header.tsx';
import { SignIn } from './components/sign-in.tsx';
import { RolesList } from './components/roles-list.tsx';
import { RequestForm } from './components/request-form.tsx';
import { GrantsList } from './components/grants-list.tsx';

/** How often the grant list is re-read from the agent. */
const GRANTS_POLL_MS = 5000;

/** Root component. */
export function App() {
  const status = useApp((s) => s.status);
  const statusError = useApp((s) => s.errors.status);
  const actions = useApp((s) => s.actions);
  const loggedIn = status?.loggedIn ?? false;

  useEffect(() => {
    void actions.refreshStatus();
    const timer = setInterval(() => actions.tick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [actions]);

  useEffect(() => {
    if (!loggedIn) return;
    void actions.refreshRoles();
    void actions.refreshGrants();
    const timer = setInterval(() => void actions.refreshGrants(), GRANTS_POLL_MS);
    return () => clearInterval(timer);
  }, [actions, loggedIn]);

  return (
    <>
      <Header />
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
            <GrantsList />
            <RequestForm />
            <RolesList />
          </>
        ) : null}
      </main>
    </>
  );
}
