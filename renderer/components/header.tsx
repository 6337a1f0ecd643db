/** The header: product name, DEMO badge, who is signed in, and sign-out (asking about grants). */
import { useState } from 'react';
import { useActions, useGrants, useSession } from '../store-context.tsx';

/** Top bar of the window. */
export function Header() {
  const status = useSession((s) => s.status);
  const signOut = useActions().signOut;
  const user = status?.user;
  const held = useGrants((s) => s.grants.filter((g) => g.status === 'active').length);
  const [asking, setAsking] = useState(false);
  const leave = (endGrants: boolean) => {
    setAsking(false);
    void signOut(endGrants);
  };
  return (
    <header className="header">
      <h1 className="brand">Hourglass</h1>
      {status?.demo ? (
        <span
          className="demo-badge"
          data-testid="demo-badge"
          title="Demo identity provider and broker"
        >
          DEMO
        </span>
      ) : null}
      <span className="spacer" />
      {status?.loggedIn && user ? (
        <>
          <span className="user" data-testid="signed-in-user">
            {user.name ?? user.subject}
          </span>
          {asking ? (
            <span role="group" aria-label="Sign out" data-testid="sign-out-question">
              <span>
                You hold {held} active grant{held === 1 ? '' : 's'}. End{' '}
                {held === 1 ? 'it' : 'them'} too?
              </span>
              <button type="button" onClick={() => leave(true)}>
                End grants and sign out
              </button>
              <button type="button" className="secondary" onClick={() => leave(false)}>
                Keep them and sign out
              </button>
              <button type="button" className="secondary" onClick={() => setAsking(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="secondary"
              onClick={() => (held > 0 ? setAsking(true) : leave(false))}
            >
              Sign out
            </button>
          )}
        </>
      ) : null}
    </header>
  );
}
