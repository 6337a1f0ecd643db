/** Pending requests: who can approve, approvals so far, how long it may still wait, Cancel. */
import type { LocalGrant } from '../../protocol/agent-api.ts';
import { approvalProgress } from '../approvals.logic.ts';
import { useActions, useGrants } from '../store-context.tsx';
import { Countdown } from './countdown.tsx';

function PendingCard({ grant }: { grant: LocalGrant }) {
  const cancelGrant = useActions().cancelGrant;
  const waits = grant.requestExpiresAt ? (
    <>
      {' · request expires in '}
      <Countdown deadline={grant.requestExpiresAt} label={`${grant.role} request expires in`} />
    </>
  ) : null;
  return (
    <li
      className="grant"
      data-testid="pending-grant"
      data-role={grant.role}
      data-grant-id={grant.id}
    >
      <span className="grant-role">{grant.role}</span>
      <span className="grant-reason">{grant.reason}</span>
      <span className="pending" data-testid="pending">
        Pending approval{waits}
      </span>
      <span className="muted" data-testid="pending-approvers">
        {approvalProgress(grant)}
      </span>
      <button type="button" className="secondary" onClick={() => void cancelGrant(grant.id)}>
        Cancel request
      </button>
    </li>
  );
}

/** The pending-requests panel; hidden when nothing waits. */
export function PendingGrants() {
  const pending = useGrants((s) => s.grants)
    .filter((g) => g.status === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (pending.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="pending-title" data-testid="pending-grants">
      <h2 id="pending-title">Pending requests</h2>
      <ul className="grants">
        {pending.map((g) => (
          <PendingCard key={g.id} grant={g} />
        ))}
      </ul>
    </section>
  );
}
