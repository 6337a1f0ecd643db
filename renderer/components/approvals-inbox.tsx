/** Requests waiting for this user's decision, updating live from pushed snapshots. */
import { useState } from 'react';
import type { PendingApproval } from '../../protocol/broker-api.ts';
import { formatDuration } from '../../protocol/duration.ts';
import { approvalProgress } from '../approvals.logic.ts';
import { useActions, useApprovals, useGrants } from '../store-context.tsx';
import { Countdown } from './countdown.tsx';

function ApprovalCard({ item }: { item: PendingApproval }) {
  const approve = useActions().approveGrant;
  const deny = useActions().denyGrant;
  const selected = useGrants((s) => s.selectedGrantId === item.grant.id);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const { grant } = item;
  const commentId = `comment-${grant.id}`;
  const decide = async (fn: typeof approve) => {
    setBusy(true);
    await fn(grant.id, comment.trim());
    setBusy(false);
  };
  return (
    <li
      className={selected ? 'grant selected' : 'grant'}
      data-testid="approval"
      data-role={grant.role}
      data-grant-id={grant.id}
    >
      <span className="grant-role">
        {grant.requesterName ?? grant.subject} asks for {grant.role}
        {item.kind === 'extension' ? ' (extension)' : ''}
      </span>
      <dl className="policy">
        <dt>Duration</dt>
        <dd>{formatDuration(item.durationSeconds)}</dd>
        <dt>Reason</dt>
        <dd data-testid="approval-reason">{grant.reason}</dd>
        <dt>Ticket</dt>
        <dd>{grant.ticket ?? '—'}</dd>
        <dt>Approvals</dt>
        <dd>{approvalProgress(grant)}</dd>
        <dt>Waits</dt>
        <dd data-testid="approval-waits">
          <Countdown deadline={item.waitsUntil} label="Waits" /> more
        </dd>
      </dl>
      <label htmlFor={commentId}>Comment</label>
      <textarea
        id={commentId}
        value={comment}
        maxLength={500}
        onChange={(e) => setComment(e.target.value)}
      />
      <div className="grant-actions">
        <button type="button" disabled={busy} onClick={() => void decide(approve)}>
          Approve
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void decide(deny)}
        >
          Deny
        </button>
      </div>
    </li>
  );
}

/** The approvals inbox. */
export function ApprovalsInbox() {
  const approvals = useApprovals((s) => s.approvals);
  const error = useApprovals((s) => s.error);
  return (
    <section className="panel" aria-labelledby="approvals-title" data-testid="approvals">
      <h2 id="approvals-title">Approvals</h2>
      {error ? (
        <p className="error" role="alert" data-testid="approvals-error">
          {error}
        </p>
      ) : null}
      {approvals.length === 0 ? <p className="muted">Nothing waiting for your decision.</p> : null}
      <ul className="grants">
        {approvals.map((item) => (
          <ApprovalCard key={`${item.kind}-${item.grant.id}`} item={item} />
        ))}
      </ul>
    </section>
  );
}
