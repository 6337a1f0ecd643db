/** The header: product name, DEMO badge and who is signed in. */
import { useApp } from '../store-context.tsx';

/** Top bar of the window. */
export function Header() {
  const status = useApp((s) => s.status);
  const signOut = useApp((s) => s.actions.signOut);
  const user = status?.user;
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
          <button type="button" className="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </>
      ) : null}
    </header>
  );
}
