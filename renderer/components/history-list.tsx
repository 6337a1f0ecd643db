/** History: own ended grants, requested vs used time, approvals, wipe receipts, deny reasons. */
import { formatDuration } from '../../protocol/duration.ts';
import { assertNever } from '../../protocol/errors.ts';
import { approverNames } from '../approvals.logic.ts';
import { historyRows, type HistoryRow } from '../history.logic.ts';
import { localTime } from '../local-time.logic.ts';
import { useGrants } from '../store-context.tsx';

// The user's locale and time zone (the browser's), never raw ISO UTC.
const time = (iso: string) => localTime(iso, Date.now());

function wipeText(wipe: HistoryRow['wipe']): string {
  switch (wipe.state) {
    case 'wiped':
      return `wiped at ${time(wipe.at)}`;
    case 'not_confirmed':
      return 'wipe not confirmed';
    case 'awaiting':
      return 'waiting for the wipe receipt';
    case 'never_issued':
      return 'no credential was issued';
    default:
      return assertNever(wipe);
  }
}

function Row({ row }: { row: HistoryRow }) {
  const { grant } = row;
  return (
    <li
      className="grant"
      data-testid="history-grant"
      data-role={grant.role}
      data-grant-id={grant.id}
    >
      <span className="grant-role">{grant.role}</span>
      <span className="status" data-testid="history-status">
        {grant.status}
      </span>
      <span className="grant-reason">{grant.reason}</span>
      <span className="muted" data-testid="history-time">
        requested {formatDuration(grant.requestedSeconds)}
        {row.usedSeconds !== null ? ` · used ${formatDuration(row.usedSeconds)}` : ''}
      </span>
      {grant.approvals.length > 0 ? (
        <span className="muted">approved by {approverNames(grant.approvals)}</span>
      ) : null}
      {row.endReason ? (
        <span className="muted" data-testid="history-reason">
          {grant.status === 'denied' ? 'denied: ' : ''}
          {row.endReason}
        </span>
      ) : null}
      <span data-testid="history-wipe" data-wipe={row.wipe.state}>
        {wipeText(row.wipe)}
      </span>
    </li>
  );
}

/** The history panel. */
export function HistoryList() {
  const rows = historyRows(useGrants((s) => s.grants));
  return (
    <section className="panel" aria-labelledby="history-title" data-testid="history">
      <h2 id="history-title">History</h2>
      {rows.length === 0 ? <p className="muted">No ended grants yet.</p> : null}
      <ul className="grants">
        {rows.map((row) => (
          <Row key={row.grant.id} row={row} />
        ))}
      </ul>
    </section>
  );
}
