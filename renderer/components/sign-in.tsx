/** The sign-in panel shown while nobody is signed in. */
import { useActions, useSession } from '../store-context.tsx';
import { isSafeAuthorizationUrl } from '../url-safety.ts';

/** Starts the OIDC login and waits for the browser to finish it. */
export function SignIn() {
  const login = useSession((s) => s.login);
  const error = useSession((s) => s.errors.login);
  const signIn = useActions().signIn;
  const status = useSession((s) => s.status);
  return (
    <section className="panel" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>
        Sign in with your company identity provider{status ? ` (${status.issuer})` : ''} to see the
        roles you can request.
      </p>
      {login.phase === 'idle' ? (
        <button type="button" onClick={() => void signIn()}>
          Sign in
        </button>
      ) : null}
      {login.phase === 'waiting' ? (
        <p role="status" data-testid="login-waiting">
          Waiting for you to finish signing in in the browser…{' '}
          {isSafeAuthorizationUrl(login.authorizationUrl) ? (
            <a href={login.authorizationUrl} target="_blank" rel="noopener noreferrer">
              Open the sign-in page again
            </a>
          ) : null}
        </p>
      ) : null}
      {login.phase === 'finishing' ? <p role="status">Signed in, loading your roles…</p> : null}
      {error ? (
        <p className="error" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
