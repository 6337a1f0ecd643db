/** Active and pending grants with a live countdown on the broker's clock. */
import { formatCountdown } from '../../protocol/duration.ts';
import { useApp } from '../store-context.tsx';
import { remainingSeconds, visibleGrants } from '../grant-clock.ts';

/** The grants panel. */
export function GrantsList() {
  const grants = useApp((s) => s.grants);
  const nowMs = useApp((s) => s.nowMs);
  const offsetMs = useApp((s) => s.offsetMs);
  const error = useApp((s) => s.errors.grants);
  const shown = visibleGrants(grants, nowMs, offsetMs);
  return (
    <section className="panel" aria-labelledby="grants-title">
      <h2 id="grants-title">Active grants</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {shown.length === 0 ? <p className="muted">No active grants.</p> : null}
      <ul className="grants">
        {shown.map(({ grant, secondsLeft }) => (
          <li key={grant.id} className="grant" data-testid="grant" data-role={grant.role}>
            <span className="grant-role">{grant.role}</span>
            <span className="grant-reason">{grant.reason}</span>
            {secondsLeft !== null ? (
              <span className="grant-export muted" data-testid="export-command">
                {grant.credentialStored ? 'in keychain · ' : 'not on this device · '}
                {/* The command, never the secret: the terminal asks the agent for it. */}
                <code>{`eval "$(hourglass env ${grant.role})"`}</code>
              </span>
            ) : null}
            {secondsLeft === null ? (
              <span className="pending" data-testid="pending">
                {grant.requestExpiresAt
                  ? `Pending approval · request expires in ${formatCountdown(
                      remainingSeconds(grant.requestExpiresAt, nowMs, offsetMs),
                    )}`
                  : 'Pending approval'}
              </span>
            ) : (
              <span
                className="countdown"
                data-testid="countdown"
                aria-label={`${grant.role} expires in`}
              >
                {formatCountdown(secondsLeft)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
