/** History rows: the user's ended grants with requested vs used time and the wipe receipt. Pure. */
import type { LocalGrant } from '../protocol/agent-api.ts';
import { assertNever } from '../protocol/errors.ts';

/** One ended grant as History shows it. */
export interface HistoryRow {
  grant: LocalGrant;
  /** Seconds from activation to the end; null when it never became active. */
  usedSeconds: number | null;
  /** What happened to the secret on the device. */
  wipe: { state: 'wiped'; at: string } | { state: 'not_confirmed' | 'awaiting' | 'never_issued' };
  /** The deny / revoke / cancel reason shown to the requester, if any. */
  endReason: string | null;
}

/** Seconds between activation and end, when both are known. */
export function usedSeconds(grant: LocalGrant): number | null {
  if (grant.activatedAt === null || grant.endedAt === null) return null;
  const used = (Date.parse(grant.endedAt) - Date.parse(grant.activatedAt)) / 1000;
  return Number.isFinite(used) ? Math.max(0, Math.round(used)) : null;
}

function wipeOf(grant: LocalGrant): HistoryRow['wipe'] {
  switch (grant.wipeState) {
    case 'wiped':
      return { state: 'wiped', at: grant.wipe?.wipedAt ?? grant.wipedLocallyAt ?? '' };
    case 'not_confirmed':
      return { state: 'not_confirmed' };
    case 'awaiting':
      return { state: 'awaiting' };
    case 'none':
      return grant.activatedAt === null ? { state: 'never_issued' } : { state: 'awaiting' };
    default:
      return assertNever(grant.wipeState);
  }
}

/** Ended grants (denied, expired, revoked, cancelled), most recently ended first. */
export function historyRows(grants: readonly LocalGrant[]): HistoryRow[] {
  return grants
    .filter((g) => g.status !== 'active' && g.status !== 'pending')
    .map((grant) => ({
      grant,
      usedSeconds: usedSeconds(grant),
      wipe: wipeOf(grant),
      endReason: grant.endReason,
    }))
    .sort((a, b) =>
      (b.grant.endedAt ?? b.grant.createdAt).localeCompare(a.grant.endedAt ?? a.grant.createdAt),
    );
}
